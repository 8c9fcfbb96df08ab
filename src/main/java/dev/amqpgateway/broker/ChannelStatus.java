package dev.amqpgateway.broker;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a kept channel's connection, for health and for answers during an outage.
 *
 * @param state where the channel stands with its broker
 * @param lastError the last connection or declaration failure, without credentials
 * @param attempts reconnect attempts made in the current cycle
 * @param nextAttempt when the next reconnect attempt is due, if one is scheduled
 */
public record ChannelStatus(ConnectionState state, @Nullable String lastError, int attempts,
		@Nullable Instant nextAttempt) {

	/**
	 * Whether the channel is open and in use.
	 * @return true when connected
	 */
	public boolean isUp() {
		return this.state == ConnectionState.UP;
	}

	/**
	 * What happens next about the connection, for logs and health.
	 * @return such as {@code attempt 3 at <instant>}, or null when no attempt is scheduled
	 */
	public @Nullable String nextStep() {
		if (this.nextAttempt == null) {
			return null;
		}
		if (this.state == ConnectionState.GAVE_UP) {
			return "gave up after " + this.attempts + " attempts; next cycle at " + this.nextAttempt
					+ " or on the next request";
		}
		return "attempt " + (this.attempts + 1) + " at " + this.nextAttempt;
	}

}
