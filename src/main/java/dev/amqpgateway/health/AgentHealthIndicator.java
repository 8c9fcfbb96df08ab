package dev.amqpgateway.health;

import dev.amqpgateway.agent.Agent;
import dev.amqpgateway.agent.AgentStatus;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of one async agent: its queue's (connection, depth, declaration), and its own work — the
 * messages in flight, the last one acknowledged, the last one a backend did not accept, and whether
 * it is paused because a backend cannot be reached (then it is down).
 */
class AgentHealthIndicator extends AbstractHealthIndicator {

	private final Agent agent;

	private final BackendHealthIndicator queue;

	AgentHealthIndicator(Agent agent, BackendHealthIndicator queue) {
		super("Health check of an async agent failed");
		this.agent = agent;
		this.queue = queue;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Health queueHealth = this.queue.health();
		builder.status((queueHealth != null) ? queueHealth.getStatus() : Status.UNKNOWN);
		if (queueHealth != null) {
			builder.withDetails(queueHealth.getDetails());
		}
		AgentStatus status = this.agent.status();
		builder.withDetail("agent", this.agent.name())
			.withDetail("backends", this.agent.backends())
			.withDetail("inFlight", status.inFlight());
		if (status.lastSuccess() != null) {
			builder.withDetail("lastSuccess", status.lastSuccess());
		}
		if (status.lastError() != null) {
			builder.withDetail("lastBackendError", status.lastError()).withDetail("lastBackendErrorAt", status.lastErrorAt());
		}
		if (status.paused()) {
			builder.down().withDetail("pausedUntil", status.pausedUntil());
		}
	}

}
