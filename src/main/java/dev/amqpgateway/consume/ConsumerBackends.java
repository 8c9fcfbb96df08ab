package dev.amqpgateway.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.broker.FirstAttempts;
import dev.amqpgateway.broker.ReconnectBackOff;
import dev.amqpgateway.broker.ReconnectingChannel;
import dev.amqpgateway.config.AckMode;
import dev.amqpgateway.config.AsyncAgent;
import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.Consumer;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Every backend of every consumer endpoint and the queue of every async agent, started before the web server opens (topology
 * declared, first connection made) and stopped after it closes.
 */
public class ConsumerBackends implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ConsumerBackends.class);

	private final List<AbstractConsumerBackend> backends = new ArrayList<>();

	private volatile boolean running;

	ConsumerBackends(GatewayProperties properties, Brokers brokers, TaskScheduler scheduler, MeterRegistry registry,
			ScheduledExecutorService ackExecutor) {
		for (Endpoint endpoint : properties.consumerEndpoints()) {
			for (int i = 0; i < endpoint.backend().size(); i++) {
				Backend backend = endpoint.backend().get(i);
				int prefetch = (backend.consumer().prefetchCount() > 0) ? backend.consumer().prefetchCount()
						: properties.prefetchLimit();
				if (endpoint.ackMode() == AckMode.LEASE) {
					// Leased messages stay unacknowledged on the channel: room for max_leases of them
					// beside the prefetch, so that they never hold up the deliveries of other requests.
					prefetch = Math.min(65535, prefetch + endpoint.maxLeases());
				}
				add(new BackendKey(endpoint.endpoint(), i), backend, prefetch, properties.maxBackoff(), properties,
						brokers, scheduler, registry, ackExecutor);
			}
		}
		for (AsyncAgent agent : properties.asyncAgents()) {
			add(BackendKey.ofAgent(agent.name()), agent.amqpBackend(), agent.prefetch(),
					agent.connection().healthInterval(), properties, brokers, scheduler, registry, ackExecutor);
		}
	}

	private void add(BackendKey key, Backend backend, int prefetch, Duration giveUpPause, GatewayProperties properties,
			Brokers brokers, TaskScheduler scheduler, MeterRegistry registry, ScheduledExecutorService ackExecutor) {
		Consumer consumer = backend.consumer();
		BackendMetrics metrics = new BackendMetrics(registry, key.endpoint(), key.index(), consumer.name());
		ReconnectingChannel.Settings channel = new ReconnectingChannel.Settings(brokers.brokerFor(backend),
				new ReconnectBackOff(consumer.backoffStrategy(), properties.maxBackoff(), consumer.maxRetries()),
				giveUpPause, scheduler);
		BackendContext context = new BackendContext(key, backend, channel, metrics, new Acker(ackExecutor),
				new PoisonPolicy(consumer.nackDiscard(), properties.maxDeliveries()), prefetch,
				properties.maxMessageSize().toBytes(), properties.releaseAfter(), properties.lease().leaseCap());
		AbstractConsumerBackend consumerBackend = consumer.autoAck() ? new PollingBackend(context)
				: new ConsumingBackend(context);
		metrics.watch(registry, consumerBackend);
		this.backends.add(consumerBackend);
	}

	/**
	 * Every backend of every consumer endpoint, in configuration order.
	 * @return the backends
	 */
	public List<ConsumerBackend> all() {
		return this.backends.stream()
			.filter((backend) -> backend.agent() == null)
			.map(ConsumerBackend.class::cast)
			.toList();
	}

	/**
	 * The queue of an async agent.
	 * @param agent name of the agent
	 * @return the agent's consumer backend
	 * @throws IllegalArgumentException when there is no such agent
	 */
	public ConsumerBackend agent(String agent) {
		return this.backends.stream()
			.filter((backend) -> agent.equals(backend.agent()))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("No async agent " + agent));
	}

	/**
	 * The backends of one endpoint.
	 * @param endpoint path of the endpoint
	 * @return its backends, in configuration order
	 */
	public List<ConsumerBackend> of(String endpoint) {
		return this.backends.stream()
			.filter((backend) -> backend.agent() == null && backend.endpoint().equals(endpoint))
			.map(ConsumerBackend.class::cast)
			.toList();
	}

	/**
	 * One backend of an endpoint.
	 * @param endpoint path of the endpoint
	 * @param index position of the backend in the endpoint's list
	 * @return the backend
	 * @throws IllegalArgumentException when the endpoint has no such backend
	 */
	public ConsumerBackend get(String endpoint, int index) {
		return this.backends.stream()
			.filter((backend) -> backend.agent() == null && backend.endpoint().equals(endpoint)
					&& backend.index() == index)
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("No backend " + index + " on " + endpoint));
	}

	/**
	 * Make every backend's first connection attempt, in parallel, and wait for them, so that a
	 * reachable broker has its topology declared before the first request; a broker that is
	 * down (or slower than the wait) is left reconnecting in the background.
	 */
	@Override
	public void start() {
		FirstAttempts.await(this.backends.stream().map(AbstractConsumerBackend::start).toList(), logger);
		this.running = true;
	}

	/**
	 * Answer every waiting request, and every later one, with 503 at once: the gateway is shutting
	 * down. Without this, requests waiting for a message hold the web server's graceful shutdown
	 * until their timeouts, longer than a shutdown phase may last, and are then cut off unanswered.
	 */
	void refuseRequests() {
		this.backends.forEach(AbstractConsumerBackend::refuseRequests);
	}

	@Override
	public void stop() {
		this.backends.forEach(AbstractConsumerBackend::stop);
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * One phase below the web server's start and stop: lifecycles start from the lowest phase up
	 * and stop from the highest down, so the topology exists before the first request, and the
	 * channels close only after the server has drained its requests and their acknowledgements.
	 */
	@Override
	public int getPhase() {
		return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1;
	}

}
