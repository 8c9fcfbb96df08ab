package dev.amqpgateway.consume;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Decides the fate of a message that cannot be served (a request cannot decode it, an agent's
 * backends refuse it): requeued for another try, or rejected
 * without requeue (dead-lettered when the queue has a dead-letter exchange) once this gateway
 * failed to serve it {@code gateway.max_deliveries} times, or at once with {@code nack_discard}.
 * The policy counts its own failures, by message id or, without one, by a digest of the body. It
 * does not read a quorum queue's {@code x-delivery-count}: that also counts every return to the
 * queue that was no failure — a message given back unread for other consumers, a client that left
 * before its response was written, an agent's backend that could not be reached — and the limit
 * would reject messages nobody failed to serve.
 */
final class PoisonPolicy {

	private static final int REMEMBERED = 10_000;

	private final boolean discardAtOnce;

	private final int maxDeliveries;

	private final Map<String, Integer> failures = new LinkedHashMap<>(16, 0.75f, true) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
			return size() > REMEMBERED;
		}

	};

	PoisonPolicy(boolean discardAtOnce, int maxDeliveries) {
		this.discardAtOnce = discardAtOnce;
		this.maxDeliveries = maxDeliveries;
	}

	/**
	 * Settle a delivery that could not be served.
	 * @param delivery the delivery
	 * @return true when it was rejected for good, false when it was requeued
	 */
	boolean settleFailed(Delivery delivery) {
		if (this.discardAtOnce || deliveries(delivery) >= this.maxDeliveries) {
			delivery.reject();
			return true;
		}
		delivery.requeue();
		return false;
	}

	/**
	 * How many times this gateway failed to serve the message so far.
	 * @param delivery a delivery of the message
	 * @return the failures counted and not yet forgotten
	 */
	int failuresOf(Delivery delivery) {
		String key = keyOf(delivery);
		synchronized (this.failures) {
			return this.failures.getOrDefault(key, 0);
		}
	}

	private long deliveries(Delivery delivery) {
		String key = keyOf(delivery);
		synchronized (this.failures) {
			int failed = this.failures.merge(key, 1, Integer::sum);
			if (failed >= this.maxDeliveries) {
				this.failures.remove(key);
			}
			return failed;
		}
	}

	private static String keyOf(Delivery delivery) {
		@Nullable String messageId = delivery.messageId();
		return (messageId != null) ? "id:" + messageId : "sha:" + digest(delivery.body());
	}

	private static String digest(byte[] body) {
		try {
			byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
			return Long.toHexString(ByteBuffer.wrap(hash).getLong()) + ":" + body.length;
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
