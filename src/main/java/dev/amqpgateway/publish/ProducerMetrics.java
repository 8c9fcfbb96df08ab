package dev.amqpgateway.publish;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one producer backend: messages published, confirmed, nacked and returned, and how
 * long the broker took to confirm.
 */
final class ProducerMetrics {

	private final Counter published;

	private final Counter confirmed;

	private final Counter nacked;

	private final Counter returned;

	private final Timer confirmLatency;

	ProducerMetrics(MeterRegistry registry, String endpoint, int index, String exchange) {
		Tags tags = Tags.of("endpoint", endpoint, "backend", String.valueOf(index), "exchange", exchange);
		this.published = Counter.builder("gateway.published")
			.description("Messages sent to the broker")
			.tags(tags)
			.register(registry);
		this.confirmed = Counter.builder("gateway.published.confirmed")
			.description("Messages the broker confirmed")
			.tags(tags)
			.register(registry);
		this.nacked = Counter.builder("gateway.published.nacked")
			.description("Messages the broker refused")
			.tags(tags)
			.register(registry);
		this.returned = Counter.builder("gateway.published.returned")
			.description("Messages no queue received, returned by the broker (mandatory)")
			.tags(tags)
			.register(registry);
		this.confirmLatency = Timer.builder("gateway.published.confirm")
			.description("Time from sending a message to the broker's answer")
			.tags(tags)
			.register(registry);
	}

	void published() {
		this.published.increment();
	}

	void answered(PublishOutcome outcome, long sentNanos) {
		this.confirmLatency.record(Duration.ofNanos(System.nanoTime() - sentNanos));
		if (outcome instanceof PublishOutcome.Confirmed) {
			this.confirmed.increment();
		}
		else if (outcome instanceof PublishOutcome.Nacked) {
			this.nacked.increment();
		}
		else if (outcome instanceof PublishOutcome.Unroutable) {
			this.returned.increment();
		}
	}

}
