package dev.amqpgateway.consume;

import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.AMQP;
import org.jspecify.annotations.Nullable;

/**
 * A message handed to the gateway and not yet settled: its body and properties, and the way to
 * acknowledge, requeue or reject it exactly once.
 */
public final class Delivery {

	private final byte[] body;

	private final AMQP.BasicProperties properties;

	private final boolean redelivered;

	private final Settlement settlement;

	private final AtomicBoolean settled = new AtomicBoolean();

	private final long receivedNanos = System.nanoTime();

	Delivery(byte[] body, AMQP.BasicProperties properties, boolean redelivered, Settlement settlement) {
		this.body = body;
		this.properties = properties;
		this.redelivered = redelivered;
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

	boolean redelivered() {
		return this.redelivered;
	}

	@Nullable String messageId() {
		return this.properties.getMessageId();
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
