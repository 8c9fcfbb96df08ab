package dev.amqpgateway.publish;

import java.util.ArrayList;
import java.util.List;

import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.broker.FirstAttempts;
import dev.amqpgateway.broker.ReconnectBackOff;
import dev.amqpgateway.broker.ReconnectingChannel;
import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import dev.amqpgateway.config.Producer;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Every backend of every producer endpoint, connected before the web server opens and closed
 * after it has drained its requests.
 */
public class ProducerBackends implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ProducerBackends.class);

	private final List<ConfirmingProducer> backends = new ArrayList<>();

	private volatile boolean running;

	ProducerBackends(GatewayProperties properties, Brokers brokers, TaskScheduler scheduler, MeterRegistry registry) {
		for (Endpoint endpoint : properties.producerEndpoints()) {
			for (int i = 0; i < endpoint.backend().size(); i++) {
				Backend backend = endpoint.backend().get(i);
				Producer producer = backend.producer();
				ReconnectingChannel.Settings channel = new ReconnectingChannel.Settings(brokers.brokerFor(backend),
						new ReconnectBackOff(producer.backoffStrategy(), properties.maxBackoff(), producer.maxRetries()),
						properties.maxBackoff(), scheduler);
				this.backends.add(new ConfirmingProducer(endpoint.endpoint(), i, backend, channel,
						new ProducerMetrics(registry, endpoint.endpoint(), i, producer.exchange())));
			}
		}
	}

	/**
	 * Every producer backend, in configuration order.
	 * @return the backends
	 */
	public List<ProducerBackend> all() {
		return List.copyOf(this.backends);
	}

	/**
	 * The backends of one endpoint.
	 * @param endpoint path of the endpoint
	 * @return its backends, in configuration order
	 */
	public List<ProducerBackend> of(String endpoint) {
		return this.backends.stream()
			.filter((backend) -> backend.endpoint().equals(endpoint))
			.map(ProducerBackend.class::cast)
			.toList();
	}

	@Override
	public void start() {
		FirstAttempts.await(this.backends.stream().map(ConfirmingProducer::start).toList(), logger);
		this.running = true;
	}

	@Override
	public void stop() {
		this.backends.forEach(ConfirmingProducer::stop);
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * One phase below the web server's start and stop, as the consumers: connected before the
	 * first request, closed only after the server has answered its requests.
	 */
	@Override
	public int getPhase() {
		return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1;
	}

}
