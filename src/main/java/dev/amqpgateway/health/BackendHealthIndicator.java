package dev.amqpgateway.health;

import com.rabbitmq.client.AMQP;
import dev.amqpgateway.broker.Failures;
import dev.amqpgateway.broker.ChannelStatus;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.topology.DeclarationFailures;

import org.springframework.amqp.AmqpException;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of one backend: its connection state, the depth and consumers of its queue, and the
 * last failure to connect or to declare its exchange, queue and bindings.
 */
class BackendHealthIndicator extends AbstractHealthIndicator {

	private final ConsumerBackend backend;

	private final DeclarationFailures declarationFailures;

	BackendHealthIndicator(ConsumerBackend backend, DeclarationFailures declarationFailures) {
		super("Health check of a gateway backend failed");
		this.backend = backend;
		this.declarationFailures = declarationFailures;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		ChannelStatus status = this.backend.status();
		if (this.backend.agent() == null) {
			builder.withDetail("endpoint", this.backend.endpoint());
		}
		builder.withDetail("queue", this.backend.queue())
			.withDetail("broker", this.backend.broker().display())
			.withDetail("state", status.state());
		switch (status.state()) {
			case UP -> {
				builder.up();
				queueDepth(builder);
			}
			case STOPPED -> builder.outOfService();
			default -> {
				builder.down().withDetail("attempts", status.attempts());
				reconnect(status, builder);
			}
		}
		if (status.lastError() != null) {
			builder.withDetail("lastError", status.lastError());
		}
		this.declarationFailures.failure(this.backend.broker(), this.backend.queue())
			.ifPresent((refused) -> builder.down().withDetail("declarationError", refused));
	}

	/**
	 * Only asked while the backend is connected, so that a health probe never opens connections
	 * to a broker that is down: the channel comes from the connection the backend already uses.
	 */
	private void queueDepth(Health.Builder builder) {
		try {
			AMQP.Queue.DeclareOk queue = this.backend.broker().template()
				.execute((channel) -> channel.queueDeclarePassive(this.backend.queue()));
			if (queue != null) {
				builder.withDetail("messages", queue.getMessageCount())
					.withDetail("consumers", queue.getConsumerCount());
			}
		}
		catch (AmqpException ex) {
			builder.down().withDetail("queueError", Failures.describe(ex));
		}
	}

	private static void reconnect(ChannelStatus status, Health.Builder builder) {
		String next = status.nextStep();
		if (next != null) {
			builder.withDetail("reconnect", next);
		}
	}

}
