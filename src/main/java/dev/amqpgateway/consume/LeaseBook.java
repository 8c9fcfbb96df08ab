package dev.amqpgateway.consume;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The messages of one backend that clients hold on lease: each waits, unsettled, for its client to
 * acknowledge, requeue or reject it, or for its lease to expire (then it is requeued). A lease
 * belongs to the channel its message came on: when that channel is lost, the broker requeues the
 * message, and the lease is gone. Whoever takes a lease out of the book settles it, exactly once:
 * an acknowledgement racing the expiry settles the message one way or the other, never both.
 */
public final class LeaseBook {

	private final Map<LeaseKey, Held> held = new ConcurrentHashMap<>();

	private final Duration cap;

	/**
	 * Create a book.
	 * @param cap the longest a message stays leased, counted from its delivery
	 */
	LeaseBook(Duration cap) {
		this.cap = cap;
	}

	/**
	 * Lease a delivery: it stays unsettled until its client settles it or the lease expires.
	 * @param delivery a delivery the request took
	 * @param timeout how long the lease lasts, at most the cap from the delivery
	 * @param over told once when the lease leaves the book: settled, expired or gone with its channel
	 * @return the lease's key and expiry
	 */
	Leased hold(Delivery delivery, Duration timeout, Runnable over) {
		LeaseKey key = new LeaseKey(delivery.generation(), delivery.deliveryTag());
		Instant expires = bounded(delivery, Instant.now().plus(timeout));
		this.held.put(key, new Held(delivery, expires, over));
		return new Leased(key, expires);
	}

	/**
	 * Settle a leased message as its client says.
	 * @param key the lease
	 * @param settlement what to do
	 * @return what became of it: {@code acked}, {@code requeued}, {@code rejected}, or {@code gone}
	 */
	public String settle(LeaseKey key, Settlement settlement) {
		Held lease = this.held.remove(key);
		if (lease == null) {
			return "gone";
		}
		switch (settlement) {
			case ACK -> lease.delivery.ack();
			case REQUEUE -> lease.delivery.requeue();
			case REJECT -> lease.delivery.reject();
		}
		lease.over.run();
		return switch (settlement) {
			case ACK -> "acked";
			case REQUEUE -> "requeued";
			case REJECT -> "rejected";
		};
	}

	/**
	 * Extend a lease, never beyond the cap from its delivery.
	 * @param key the lease
	 * @param by how much longer from now
	 * @return the new expiry, or null when the lease is gone
	 */
	public @Nullable Instant extend(LeaseKey key, Duration by) {
		Held[] extended = new Held[1];
		this.held.computeIfPresent(key, (k, lease) -> {
			extended[0] = new Held(lease.delivery, bounded(lease.delivery, Instant.now().plus(by)), lease.over);
			return extended[0];
		});
		return (extended[0] != null) ? extended[0].expires : null;
	}

	/**
	 * Requeue every message whose lease has expired.
	 * @param now the time
	 * @return how many were requeued
	 */
	int expire(Instant now) {
		int expired = 0;
		for (Map.Entry<LeaseKey, Held> entry : this.held.entrySet()) {
			if (!entry.getValue().expires.isAfter(now) && this.held.remove(entry.getKey(), entry.getValue())) {
				entry.getValue().delivery.requeue();
				entry.getValue().over.run();
				expired++;
			}
		}
		return expired;
	}

	/**
	 * Forget the leases of a lost channel: the broker has requeued their messages.
	 * @param generation the channel's generation
	 */
	void channelLost(long generation) {
		for (Map.Entry<LeaseKey, Held> entry : this.held.entrySet()) {
			if (entry.getKey().generation() <= generation && this.held.remove(entry.getKey(), entry.getValue())) {
				entry.getValue().over.run();
			}
		}
	}

	/**
	 * Whether a lease is still out: neither settled, expired nor gone with its channel.
	 * @param key the lease
	 * @return true while its client may settle it
	 */
	public boolean holds(LeaseKey key) {
		return this.held.containsKey(key);
	}

	/**
	 * Messages on lease now.
	 * @return the count
	 */
	public int size() {
		return this.held.size();
	}

	/**
	 * When the next lease expires.
	 * @return the earliest expiry, or null when nothing is leased
	 */
	public @Nullable Instant nextExpiry() {
		Instant next = null;
		for (Held lease : new ArrayList<>(this.held.values())) {
			next = (next == null || lease.expires.isBefore(next)) ? lease.expires : next;
		}
		return next;
	}

	private Instant bounded(Delivery delivery, Instant wanted) {
		Instant latest = delivery.receivedAt().plus(this.cap);
		return wanted.isAfter(latest) ? latest : wanted;
	}

	/**
	 * What a client asks for a leased message.
	 */
	public enum Settlement {

		/** Acknowledge it: processed. */
		ACK,

		/** Return it to the queue. */
		REQUEUE,

		/** Reject it without requeue: dead-lettered when the queue has a dead-letter exchange. */
		REJECT

	}

	/**
	 * Which lease: a delivery tag of a channel generation.
	 *
	 * @param generation the channel's generation in its backend, from 1
	 * @param deliveryTag the delivery's tag on that channel
	 */
	public record LeaseKey(long generation, long deliveryTag) {
	}

	/**
	 * A lease given out.
	 *
	 * @param key its key
	 * @param expires when it expires
	 */
	public record Leased(LeaseKey key, Instant expires) {
	}

	private record Held(Delivery delivery, Instant expires, Runnable over) {
	}

}
