package dev.amqpgateway.consume;

import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Sends the acks and nacks of one receiver off the caller's thread (often a Netty event loop),
 * in the order they were asked for, one drain at a time.
 */
final class Acker {

	private static final Log logger = LogFactory.getLog(Acker.class);

	private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean draining = new AtomicBoolean();

	private final Executor executor;

	Acker(Executor executor) {
		this.executor = executor;
	}

	Delivery.Settlement settlementOf(Channel channel, long deliveryTag, SettlementListener listener) {
		return new Delivery.Settlement() {

			@Override
			public void ack() {
				submit(() -> send(() -> channel.basicAck(deliveryTag, false)), listener::acked);
			}

			@Override
			public void requeue() {
				submit(() -> send(() -> channel.basicNack(deliveryTag, false, true)), listener::requeued);
			}

			@Override
			public void reject() {
				submit(() -> send(() -> channel.basicReject(deliveryTag, false)), listener::rejected);
			}

		};
	}

	private void submit(Runnable operation, Runnable then) {
		this.pending.add(() -> {
			operation.run();
			then.run();
		});
		if (this.draining.compareAndSet(false, true)) {
			this.executor.execute(this::drain);
		}
	}

	private void drain() {
		do {
			Runnable operation;
			while ((operation = this.pending.poll()) != null) {
				operation.run();
			}
			this.draining.set(false);
		}
		while (!this.pending.isEmpty() && this.draining.compareAndSet(false, true));
	}

	private static void send(ChannelOperation operation) {
		try {
			operation.run();
		}
		catch (IOException | ShutdownSignalException ex) {
			// The channel is gone, and with it the delivery: the broker has requeued it already.
			logger.debug("Could not settle a delivery on a closed channel: " + ex.getMessage());
		}
		catch (RuntimeException ex) {
			// Never let one failure end the drain: later settlements would wait forever.
			logger.warn("Could not settle a delivery: " + ex);
		}
	}

	@FunctionalInterface
	private interface ChannelOperation {

		void run() throws IOException;

	}

	/**
	 * Told when a settlement was sent, for metrics.
	 */
	interface SettlementListener {

		void acked();

		void requeued();

		void rejected();

	}

}
