package dev.amqpgateway.broker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import dev.amqpgateway.config.BackoffStrategy;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * The waits between reconnect attempts as a Spring {@link BackOff}: attempt {@code i},
 * counted from 0, waits what the strategy says, never more than the cap; with a positive
 * {@code maxAttempts} the execution stops after that many attempts.
 */
public final class ReconnectBackOff implements BackOff {

	private final BackoffStrategy strategy;

	private final Duration cap;

	private final int maxAttempts;

	private final DoubleSupplier random;

	/**
	 * Create a back-off.
	 * @param strategy the strategy of the backend
	 * @param cap the longest wait
	 * @param maxAttempts attempts before the execution stops; 0 for no limit
	 */
	public ReconnectBackOff(BackoffStrategy strategy, Duration cap, int maxAttempts) {
		this(strategy, cap, maxAttempts, () -> ThreadLocalRandom.current().nextDouble());
	}

	ReconnectBackOff(BackoffStrategy strategy, Duration cap, int maxAttempts, DoubleSupplier random) {
		this.strategy = strategy;
		this.cap = cap;
		this.maxAttempts = maxAttempts;
		this.random = random;
	}

	@Override
	public BackOffExecution start() {
		return new Execution();
	}

	/**
	 * How long to wait before the given attempt.
	 * @param attempt the attempt, counted from 0
	 * @return the wait, at most the cap
	 */
	public Duration waitBefore(int attempt) {
		double seconds = switch (this.strategy) {
			case LINEAR -> attempt;
			case LINEAR_JITTER -> jitter(attempt);
			case EXPONENTIAL -> Math.pow(2, Math.min(attempt, 62));
			case EXPONENTIAL_JITTER -> jitter(Math.pow(2, Math.min(attempt, 62)));
			case FALLBACK -> 1;
		};
		long millis = (long) Math.min(seconds * 1000, this.cap.toMillis());
		return Duration.ofMillis(Math.max(0, millis));
	}

	private double jitter(double seconds) {
		return seconds * (1 + (this.random.getAsDouble() * 2 - 1) / 3);
	}

	private final class Execution implements BackOffExecution {

		private int attempt;

		@Override
		public long nextBackOff() {
			if (ReconnectBackOff.this.maxAttempts > 0 && this.attempt >= ReconnectBackOff.this.maxAttempts) {
				return STOP;
			}
			return waitBefore(this.attempt++).toMillis();
		}

		@Override
		public String toString() {
			return ReconnectBackOff.this.strategy + " attempt " + this.attempt;
		}

	}

}
