package dev.amqpgateway.agent;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one agent: messages sent, acknowledged, requeued and rejected, and each HTTP
 * backend's calls by outcome, with their latency.
 */
final class AgentMetrics {

	private final MeterRegistry registry;

	private final String agent;

	private final Counter sent;

	private final Counter acked;

	private final Counter requeued;

	private final Counter rejected;

	AgentMetrics(MeterRegistry registry, String agent) {
		this.registry = registry;
		this.agent = agent;
		this.sent = counter("gateway.agent.sent", "Messages an agent took from its queue and sent to its backends");
		this.acked = counter("gateway.agent.acked", "Messages acknowledged once every backend accepted them");
		this.requeued = counter("gateway.agent.requeued",
				"Messages returned to the queue: refused or timed out under the delivery limit, a backend unreachable, shutdown");
		this.rejected = counter("gateway.agent.rejected",
				"Messages rejected without requeue (dead-lettered with a DLX): past max_deliveries, or at once with nack_discard");
	}

	private Counter counter(String name, String description) {
		return Counter.builder(name).description(description).tag("agent", this.agent).register(this.registry);
	}

	void sent() {
		this.sent.increment();
	}

	void acked() {
		this.acked.increment();
	}

	void requeued() {
		this.requeued.increment();
	}

	void rejected() {
		this.rejected.increment();
	}

	void called(int backend, Attempt attempt, Duration took) {
		Timer.builder("gateway.agent.backend")
			.description("Calls of an agent's HTTP backends, by outcome")
			.tag("agent", this.agent)
			.tag("backend", String.valueOf(backend))
			.tag("outcome", attempt.outcome().tag())
			.register(this.registry)
			.record(took);
	}

}
