package dev.amqpgateway.consume;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import org.jspecify.annotations.Nullable;

/**
 * A message handed to the gateway and not yet settled: its body and properties, and the way to
 * acknowledge, requeue or reject it exactly once.
 */
public final class Delivery {

	private final byte[] body;

	private final AMQP.BasicProperties properties;

	private final boolean redelivered;

	private final String exchange;

	private final String routingKey;

	private final long deliveryTag;

	private final long generation;

	private final Settlement settlement;

	private final AtomicBoolean settled = new AtomicBoolean();

	private final long receivedNanos = System.nanoTime();

	private final Instant receivedAt = Instant.now();

	Delivery(byte[] body, AMQP.BasicProperties properties, Envelope envelope, Settlement settlement) {
		this(body, properties, envelope, 0, settlement);
	}

	Delivery(byte[] body, AMQP.BasicProperties properties, Envelope envelope, long generation, Settlement settlement) {
		this.generation = generation;
		this.body = body;
		this.properties = properties;
		this.redelivered = envelope.isRedeliver();
		this.exchange = envelope.getExchange();
		this.routingKey = envelope.getRoutingKey();
		this.deliveryTag = envelope.getDeliveryTag();
		this.settlement = settlement;
	}

	/**
	 * The message body, as published.
	 * @return the bytes, not to be modified
	 */
	public byte[] body() {
		return this.body;
	}

	/**
	 * When the gateway received this delivery, on {@link System#nanoTime()}'s clock.
	 * @return the time of receipt
	 */
	long receivedNanos() {
		return this.receivedNanos;
	}

	/**
	 * When the gateway received this delivery, on the wall clock: the broker's consumer timeout
	 * counts from about then.
	 * @return the time of receipt
	 */
	Instant receivedAt() {
		return this.receivedAt;
	}

	/**
	 * Whether the broker delivered this message before, to this or another consumer.
	 * @return the delivery's redelivered flag
	 */
	public boolean redelivered() {
		return this.redelivered;
	}

	/**
	 * The exchange the message was published to.
	 * @return its name, empty for the default exchange
	 */
	public String exchange() {
		return this.exchange;
	}

	/**
	 * The routing key the message was published with.
	 * @return the routing key
	 */
	public String routingKey() {
		return this.routingKey;
	}

	/**
	 * The delivery's tag on its channel: deliveries of one channel are numbered in the order the
	 * broker handed them out.
	 * @return the tag
	 */
	long deliveryTag() {
		return this.deliveryTag;
	}

	/**
	 * The generation of the channel the delivery came on, in its backend.
	 * @return the generation, from 1; 0 for a backend whose messages are never leased
	 */
	long generation() {
		return this.generation;
	}

	/**
	 * The message's id, as the publisher set it.
	 * @return the id, or null
	 */
	public @Nullable String messageId() {
		return this.properties.getMessageId();
	}

	/**
	 * The message's correlation id, as the publisher set it.
	 * @return the id, or null
	 */
	public @Nullable String correlationId() {
		return this.properties.getCorrelationId();
	}

	/**
	 * The message's content type, as the publisher set it.
	 * @return the content type, or null
	 */
	public @Nullable String contentType() {
		return this.properties.getContentType();
	}

	/**
	 * The message's AMQP properties, as the publisher set them.
	 * @return the properties
	 */
	public AMQP.BasicProperties properties() {
		return this.properties;
	}

	/**
	 * The message's AMQP headers.
	 * @return the headers, empty when it has none
	 */
	public Map<String, Object> headers() {
		Map<String, Object> headers = this.properties.getHeaders();
		return (headers != null) ? headers : Map.of();
	}

	/**
	 * Whether this delivery still waits for its acknowledgement.
	 * @return true until it is acknowledged, requeued or rejected
	 */
	boolean unsettled() {
		return !this.settled.get();
	}

	void ack() {
		if (this.settled.compareAndSet(false, true)) {
			this.settlement.ack();
		}
	}

	void requeue() {
		if (this.settled.compareAndSet(false, true)) {
			this.settlement.requeue();
		}
	}

	void reject() {
		if (this.settled.compareAndSet(false, true)) {
			this.settlement.reject();
		}
	}

	/**
	 * What acknowledging, requeuing and rejecting a delivery does for its backend.
	 */
	interface Settlement {

		/** A settlement for messages the broker forgot on delivery (auto_ack): nothing to send. */
		Settlement NONE = new Settlement() {

			@Override
			public void ack() {
			}

			@Override
			public void requeue() {
			}

			@Override
			public void reject() {
			}

		};

		void ack();

		void requeue();

		void reject();

	}

}
