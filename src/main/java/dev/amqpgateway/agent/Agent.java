package dev.amqpgateway.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.broker.ReconnectBackOff;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.Delivery;
import dev.amqpgateway.consume.Lease;
import io.github.resilience4j.ratelimiter.RateLimiter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.http.HttpHeaders;

/**
 * One async agent at work: {@code workers} loops, each of which waits for its turn (a backend that
 * cannot be reached pauses the agent; {@code max_rate} spaces the messages), takes a message from
 * the agent's queue the way a waiting HTTP request does, sends it to every backend in parallel and
 * settles it:
 * <ul>
 * <li>every backend answered 2xx within the timeout: acknowledged;</li>
 * <li>a backend refused it, failed or did not answer in time: requeued after a back-off wait that
 * grows with the message's deliveries, or rejected without requeue (dead-lettered when the queue has
 * a DLX) past {@code gateway.max_deliveries}, at once with {@code nack_discard};</li>
 * <li>a backend could not be reached at all (and none refused it): requeued without counting
 * against the message, and the agent pauses, longer each time, until a backend answers again.</li>
 * </ul>
 * A message is only ever acknowledged after every backend accepted it; anything a worker took and
 * did not settle (the gateway stopping, an error) goes back to the queue.
 */
public final class Agent {

	private static final Log logger = LogFactory.getLog(Agent.class);

	/** How long a worker waits for a message before it asks again. */
	private static final Duration POLL = Duration.ofSeconds(30);

	/** Shortest rest of a worker whose queue cannot serve, so that an outage is not a busy loop. */
	private static final Duration UNAVAILABLE_REST = Duration.ofSeconds(1);

	private final String name;

	private final ConsumerBackend queue;

	private final List<HttpTarget> targets;

	private final int workers;

	private final Duration timeout;

	private final @Nullable RateLimiter rate;

	private final ReconnectBackOff backOff;

	private final boolean discardAtOnce;

	private final AgentMetrics metrics;

	private final Sinks.One<Boolean> stopping = Sinks.one();

	private volatile boolean stopped;

	private final AtomicInteger unreachableStreak = new AtomicInteger();

	private final AtomicInteger inFlight = new AtomicInteger();

	private volatile long pausedUntilNanos = System.nanoTime();

	private volatile @Nullable Instant pausedUntil;

	private volatile @Nullable String lastError;

	private volatile @Nullable Instant lastErrorAt;

	private volatile @Nullable Instant lastSuccess;

	private @Nullable Mono<Void> done;

	Agent(String name, ConsumerBackend queue, List<HttpTarget> targets, int workers, Duration timeout,
			@Nullable RateLimiter rate, ReconnectBackOff backOff, AgentMetrics metrics) {
		this.name = name;
		this.queue = queue;
		this.targets = targets;
		this.workers = workers;
		this.timeout = timeout;
		this.rate = rate;
		this.backOff = backOff;
		this.discardAtOnce = queue.backend().consumer().nackDiscard();
		this.metrics = metrics;
	}

	/**
	 * The agent's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The queue the agent drains.
	 * @return its consumer backend
	 */
	public ConsumerBackend queue() {
		return this.queue;
	}

	/**
	 * How the agent's work stands now.
	 * @return a snapshot
	 */
	public AgentStatus status() {
		Instant paused = (this.pausedUntilNanos - System.nanoTime() > 0) ? this.pausedUntil : null;
		return new AgentStatus(paused, this.inFlight.get(), this.lastError, this.lastErrorAt, this.lastSuccess);
	}

	/**
	 * The backends, for logs and health.
	 * @return each backend's method, hosts and path
	 */
	public List<String> backends() {
		return this.targets.stream().map(HttpTarget::describe).toList();
	}

	synchronized void start() {
		Mono<Void> all = Flux.range(0, this.workers).flatMap((i) -> worker(), this.workers).then().cache();
		all.subscribe(null, (ex) -> logger.error("Async agent " + this.name + " stopped", ex));
		this.done = all;
	}

	/**
	 * Stop taking messages; the messages being sent finish (their backends have the agent's timeout).
	 * @return completes once every worker has settled its message and ended
	 */
	synchronized Mono<Void> stop() {
		this.stopped = true;
		this.stopping.tryEmitValue(Boolean.TRUE);
		return (this.done != null) ? this.done : Mono.empty();
	}

	private boolean stopped() {
		return this.stopped;
	}

	private Mono<Void> worker() {
		return Mono.defer(this::once).repeat(() -> !stopped()).then();
	}

	private Mono<Void> once() {
		Lease lease = new Lease();
		return turn().then(Mono.defer(() -> this.queue.receive(lease, POLL)))
			.takeUntilOther(this.stopping.asMono())
			.flatMap((delivery) -> deliver(lease, delivery))
			.onErrorResume(BackendUnavailableException.class, this::rest)
			.onErrorResume((ex) -> {
				logger.error("Async agent " + this.name + ": unexpected failure; the message goes back to the queue", ex);
				return rest(null);
			})
			.doFinally((signal) -> lease.release());
	}

	/**
	 * Wait while the agent is paused, then for a permit of {@code max_rate}.
	 */
	private Mono<Void> turn() {
		long paused = this.pausedUntilNanos - System.nanoTime();
		Mono<Void> pause = (paused > 0) ? Mono.delay(Duration.ofNanos(paused)).then() : Mono.empty();
		if (this.rate == null) {
			return pause;
		}
		RateLimiter rate = this.rate;
		return pause.then(Mono.defer(() -> {
			long wait = rate.reservePermission();
			return (wait > 0) ? Mono.delay(Duration.ofNanos(wait)).then() : Mono.empty();
		}));
	}

	private Mono<Void> rest(@Nullable BackendUnavailableException ex) {
		Duration rest = UNAVAILABLE_REST;
		if (ex != null && ex.nextAttempt() != null) {
			Duration untilAttempt = Duration.between(Instant.now(), ex.nextAttempt());
			rest = (untilAttempt.compareTo(rest) > 0) ? untilAttempt : rest;
		}
		return Mono.delay(rest).takeUntilOther(this.stopping.asMono()).then();
	}

	private Mono<Void> deliver(Lease lease, Delivery delivery) {
		this.metrics.sent();
		this.inFlight.incrementAndGet();
		HttpHeaders headers = AgentHeaders.of(delivery, this.queue.deliveryCount(delivery));
		Flux<Attempt> attempts = Flux.range(0, this.targets.size()).flatMap((i) -> {
			long start = System.nanoTime();
			return this.targets.get(i)
				.send(delivery, headers, this.timeout)
				.doOnNext((attempt) -> this.metrics.called(i, attempt, Duration.ofNanos(System.nanoTime() - start)));
		});
		return attempts.collectList()
			.flatMap((list) -> settle(lease, delivery, list))
			.doFinally((signal) -> this.inFlight.decrementAndGet());
	}

	private Mono<Void> settle(Lease lease, Delivery delivery, List<Attempt> attempts) {
		List<String> errors = new ArrayList<>();
		boolean unreachableOnly = true;
		for (int i = 0; i < attempts.size(); i++) {
			Attempt attempt = attempts.get(i);
			if (attempt.outcome() != Attempt.Outcome.ACCEPTED) {
				errors.add("backend " + i + " (" + this.targets.get(i).describe() + ") " + attempt.error());
				unreachableOnly &= attempt.outcome() == Attempt.Outcome.UNREACHABLE;
			}
		}
		if (errors.isEmpty()) {
			lease.complete(List.of(delivery));
			this.metrics.acked();
			this.lastSuccess = Instant.now();
			if (this.unreachableStreak.getAndSet(0) > 0) {
				logger.info("Async agent " + this.name + ": its backends answer again");
			}
			return Mono.empty();
		}
		String error = String.join("; ", errors);
		this.lastError = error;
		this.lastErrorAt = Instant.now();
		if (unreachableOnly) {
			// Not the message's fault: it goes back uncounted, and the agent waits for its backend.
			lease.release();
			this.metrics.requeued();
			pause(error);
			return Mono.empty();
		}
		Duration wait = this.discardAtOnce ? Duration.ZERO
				: this.backOff.waitBefore((int) Math.min(Integer.MAX_VALUE, this.queue.deliveryCount(delivery)));
		return Mono.delay(wait).takeUntilOther(this.stopping.asMono()).then(Mono.fromRunnable(() -> {
			boolean rejected = this.queue.settleFailed(delivery);
			lease.release();
			if (rejected) {
				this.metrics.rejected();
				logger.warn("Async agent " + this.name + ": " + describe(delivery) + " rejected without requeue (dead-lettered if the queue has a DLX): " + error);
			}
			else {
				this.metrics.requeued();
				if (logger.isDebugEnabled()) {
					logger.debug("Async agent " + this.name + ": " + describe(delivery) + " requeued after "
							+ wait.toMillis() + " ms: " + error);
				}
			}
		}));
	}

	private static String describe(Delivery delivery) {
		return (delivery.messageId() != null) ? "message " + delivery.messageId()
				: "a message without id (routing key '" + delivery.routingKey() + "')";
	}

	private void pause(String error) {
		int streak = this.unreachableStreak.incrementAndGet();
		Duration wait = this.backOff.waitBefore(streak);
		if (wait.isZero()) {
			wait = UNAVAILABLE_REST;
		}
		long until = System.nanoTime() + wait.toNanos();
		if (until - this.pausedUntilNanos > 0) {
			this.pausedUntilNanos = until;
			this.pausedUntil = Instant.now().plus(wait);
		}
		logger.warn("Async agent " + this.name + " pauses for " + wait.toMillis() + " ms (time " + streak + "): "
				+ error);
	}

}
