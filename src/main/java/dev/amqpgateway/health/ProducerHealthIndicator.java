package dev.amqpgateway.health;

import dev.amqpgateway.broker.ChannelStatus;
import dev.amqpgateway.publish.ProducerBackend;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of one producer backend: its connection state, its exchange and broker, and the last
 * failure to connect.
 */
class ProducerHealthIndicator extends AbstractHealthIndicator {

	private final ProducerBackend backend;

	ProducerHealthIndicator(ProducerBackend backend) {
		super("Health check of a gateway producer failed");
		this.backend = backend;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		ChannelStatus status = this.backend.status();
		builder.withDetail("endpoint", this.backend.endpoint())
			.withDetail("exchange", this.backend.exchange())
			.withDetail("broker", this.backend.broker().display())
			.withDetail("state", status.state());
		switch (status.state()) {
			case UP -> builder.up();
			case STOPPED -> builder.outOfService();
			default -> {
				builder.down().withDetail("attempts", status.attempts());
				String next = status.nextStep();
				if (next != null) {
					builder.withDetail("reconnect", next);
				}
			}
		}
		if (status.lastError() != null) {
			builder.withDetail("lastError", status.lastError());
		}
	}

}
