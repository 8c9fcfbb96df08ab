package dev.amqpgateway.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.broker.ReconnectBackOff;
import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.Consumer;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Every backend of every endpoint, started before the web server opens (topology declared, first
 * connection made) and stopped after it closes.
 */
public class Receivers implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(Receivers.class);

	private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);

	private final Map<String, List<EndpointHandler.Source>> sourcesByEndpoint = new LinkedHashMap<>();

	private final List<ReconnectingReceiver> receivers = new ArrayList<>();

	private volatile boolean running;

	Receivers(GatewayProperties properties, Brokers brokers, TaskScheduler scheduler, MeterRegistry registry,
			ScheduledExecutorService ackExecutor) {
		for (Endpoint endpoint : properties.endpoints()) {
			List<EndpointHandler.Source> sources = new ArrayList<>();
			for (int i = 0; i < endpoint.backend().size(); i++) {
				Backend backend = endpoint.backend().get(i);
				Consumer consumer = backend.amqp().consumer();
				BackendMetrics metrics = new BackendMetrics(registry, endpoint.endpoint(), i, consumer.name());
				ReceiverContext context = new ReceiverContext(new BackendKey(endpoint.endpoint(), i), backend,
						brokers.brokerFor(backend),
						new ReconnectBackOff(consumer.backoffStrategy(), properties.maxBackoff(), consumer.maxRetries()),
						properties.maxBackoff(), scheduler, metrics, new Acker(ackExecutor),
						(consumer.prefetchCount() > 0) ? consumer.prefetchCount() : properties.prefetchLimit(),
						properties.maxMessageSize().toBytes());
				ReconnectingReceiver receiver = consumer.autoAck() ? new PollingReceiver(context)
						: new ConsumingReceiver(context);
				this.receivers.add(receiver);
				metrics.watch(registry, receiver);
				sources.add(new EndpointHandler.Source(receiver,
						new PoisonPolicy(consumer.nackDiscard(), properties.maxDeliveries()), metrics));
			}
			this.sourcesByEndpoint.put(endpoint.endpoint(), sources);
		}
	}

	/**
	 * Every backend, in configuration order.
	 * @return the backends
	 */
	public List<ConsumerBackend> backends() {
		return List.copyOf(this.receivers);
	}

	/**
	 * One backend of an endpoint.
	 * @param endpoint path of the endpoint
	 * @param index position of the backend in the endpoint's list
	 * @return the backend
	 * @throws IllegalArgumentException when the endpoint has no such backend
	 */
	public ConsumerBackend backend(String endpoint, int index) {
		return this.receivers.stream()
			.filter((receiver) -> receiver.endpoint().equals(endpoint) && receiver.index() == index)
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("No backend " + index + " on " + endpoint));
	}

	List<EndpointHandler.Source> sourcesOf(String endpoint) {
		return this.sourcesByEndpoint.get(endpoint);
	}

	/**
	 * Make every backend's first connection attempt, in parallel, and wait for them, so that a
	 * reachable broker has its topology declared before the first request; a broker that is
	 * down (or slower than the wait) is left reconnecting in the background.
	 */
	@Override
	public void start() {
		CompletableFuture<?>[] firstAttempts = this.receivers.stream()
			.map(ReconnectingReceiver::start)
			.toArray(CompletableFuture[]::new);
		try {
			CompletableFuture.allOf(firstAttempts).get(STARTUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			logger.warn("Some brokers did not answer within " + STARTUP_WAIT.toSeconds()
					+ "s; starting anyway while they keep connecting");
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.running = true;
	}

	/**
	 * Answer every waiting request, and every later one, with 503 at once: the gateway is shutting
	 * down. Without this, requests waiting for a message hold the web server's graceful shutdown
	 * until their timeouts, longer than a shutdown phase may last, and are then cut off unanswered.
	 */
	void refuseRequests() {
		this.receivers.forEach(ReconnectingReceiver::refuseRequests);
	}

	@Override
	public void stop() {
		this.receivers.forEach(ReconnectingReceiver::stop);
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Start before the web server (so that the topology exists before the first request) and stop
	 * after it has drained its requests.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 4096;
	}

}
