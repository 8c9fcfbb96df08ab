package dev.amqpgateway.broker;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A backend cannot serve because its broker is unreachable (or its queue is missing).
 */
public final class BackendUnavailableException extends RuntimeException {

	private final @Nullable Instant nextAttempt;

	public BackendUnavailableException(String message, @Nullable Instant nextAttempt) {
		super(message, null, false, false);
		this.nextAttempt = nextAttempt;
	}

	/**
	 * When the backend tries its broker again.
	 * @return the instant of the next attempt, or null when none is planned
	 */
	public @Nullable Instant nextAttempt() {
		return this.nextAttempt;
	}

}
