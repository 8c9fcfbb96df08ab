package dev.amqpgateway.consume;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one backend: messages delivered, acknowledged, requeued, rejected, refused as
 * oversize and given back unread, empty polls, {@code basic.get}s that filled batches, and how long
 * requests waited for a message.
 */
public final class BackendMetrics implements Acker.SettlementListener {

	private final Counter delivered;

	private final Counter acked;

	private final Counter requeued;

	private final Counter rejected;

	private final Counter oversize;

	private final Counter released;

	private final Counter emptyPolls;

	private final Counter gets;

	private final Timer wait;

	private final Tags tags;

	BackendMetrics(MeterRegistry registry, String endpoint, int index, String queue) {
		Tags tags = Tags.of("endpoint", endpoint, "backend", String.valueOf(index), "queue", queue);
		this.tags = tags;
		this.delivered = Counter.builder("gateway.messages.delivered")
			.description("Messages written to an HTTP response")
			.tags(tags)
			.register(registry);
		this.acked = Counter.builder("gateway.messages.acked")
			.description("Messages acknowledged after their response was written")
			.tags(tags)
			.register(registry);
		this.requeued = Counter.builder("gateway.messages.requeued")
			.description("Messages returned to the queue (client gone, write failed, undecodable)")
			.tags(tags)
			.register(registry);
		this.rejected = Counter.builder("gateway.messages.rejected")
			.description("Messages rejected without requeue (undecodable past the delivery limit, or oversize)")
			.tags(tags)
			.register(registry);
		this.oversize = Counter.builder("gateway.messages.oversize")
			.description("Messages over max_message_size, never served: rejected without requeue, or dropped under auto_ack")
			.tags(tags)
			.register(registry);
		this.released = Counter.builder("gateway.messages.released")
			.description("Messages taken ahead of demand and given back to the queue unread, for other consumers")
			.tags(tags)
			.register(registry);
		this.emptyPolls = Counter.builder("gateway.polls.empty")
			.description("Requests that found no message on this backend within their timeout")
			.tags(tags)
			.register(registry);
		this.gets = Counter.builder("gateway.batch.gets")
			.description("basic.get calls that filled batches the consumer could not (get-empty answers included)")
			.tags(tags)
			.register(registry);
		this.wait = Timer.builder("gateway.wait")
			.description("Time a request waited for this backend's message")
			.tags(tags)
			.register(registry);
	}

	void watch(MeterRegistry registry, AbstractConsumerBackend backend) {
		Gauge.builder("gateway.requests.waiting", backend, AbstractConsumerBackend::waiting)
			.description("Requests waiting for a message of this backend")
			.tags(this.tags)
			.register(registry);
		Gauge.builder("gateway.messages.buffered", backend, AbstractConsumerBackend::buffered)
			.description("Messages received and held, unacknowledged, for the next request")
			.tags(this.tags)
			.register(registry);
	}

	/**
	 * Count a message written, in full, to an HTTP response.
	 */
	public void delivered() {
		this.delivered.increment();
	}

	@Override
	public void acked() {
		this.acked.increment();
	}

	@Override
	public void requeued() {
		this.requeued.increment();
	}

	@Override
	public void rejected() {
		this.rejected.increment();
	}

	void released(int count) {
		this.released.increment(count);
	}

	void fetching() {
		this.gets.increment();
	}

	void oversize() {
		this.oversize.increment();
	}

	/**
	 * Count a request this backend answered with nothing in time.
	 */
	public void emptyPoll() {
		this.emptyPolls.increment();
	}

	/**
	 * Record how long a request waited for this backend's answer.
	 * @param duration the wait
	 */
	public void waited(Duration duration) {
		this.wait.record(duration);
	}

}
