package dev.amqpgateway.agent;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of an agent's work, for health.
 *
 * @param pausedUntil while a backend cannot be reached, when the agent takes messages again; null
 * when it is not paused
 * @param inFlight messages being sent now
 * @param lastError the last message a backend did not accept, and why
 * @param lastErrorAt when that was
 * @param lastSuccess when a message was last acknowledged
 */
public record AgentStatus(@Nullable Instant pausedUntil, int inFlight, @Nullable String lastError,
		@Nullable Instant lastErrorAt, @Nullable Instant lastSuccess) {

	/**
	 * Whether the agent has stopped taking messages because a backend cannot be reached.
	 * @return true while paused
	 */
	public boolean paused() {
		return this.pausedUntil != null;
	}

}
