package dev.amqpgateway.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.ChannelStatus;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Whether the gateway can serve at all, for the readiness group: UP while at least one backend is
 * connected to its broker, DOWN while none is.
 */
class BrokersHealthIndicator extends AbstractHealthIndicator {

	private final List<Channel> channels;

	BrokersHealthIndicator(List<Channel> channels) {
		super("Health check of the gateway's brokers failed");
		this.channels = channels;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Map<String, BrokerHealth> brokers = new LinkedHashMap<>();
		for (Channel channel : this.channels) {
			Broker broker = channel.broker();
			brokers.merge(broker.id(), new BrokerHealth(broker.display(), 1, channel.status().get().isUp() ? 1 : 0),
					BrokerHealth::plus);
		}
		boolean reachable = brokers.isEmpty() || brokers.values().stream().anyMatch((broker) -> broker.connected() > 0);
		if (reachable) {
			builder.up();
		}
		else {
			builder.down();
		}
		brokers.forEach((id, broker) -> builder.withDetail(id, broker.details()));
	}

	/**
	 * The kept channel of one consumer or producer backend.
	 *
	 * @param broker its broker
	 * @param status how its connection stands
	 */
	record Channel(Broker broker, Supplier<ChannelStatus> status) {
	}

	/**
	 * How the backends of one broker stand.
	 *
	 * @param hosts the broker's host list, without passwords
	 * @param backends how many backends use the broker
	 * @param connected how many of them are connected
	 */
	private record BrokerHealth(String hosts, int backends, int connected) {

		BrokerHealth plus(BrokerHealth other) {
			return new BrokerHealth(this.hosts, this.backends + other.backends, this.connected + other.connected);
		}

		Map<String, Object> details() {
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("hosts", this.hosts);
			details.put("backends", this.backends);
			details.put("connected", this.connected);
			return details;
		}

	}

}
