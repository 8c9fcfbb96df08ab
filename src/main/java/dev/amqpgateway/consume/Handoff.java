package dev.amqpgateway.consume;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Where a backend's deliveries meet its requests: a delivery goes to the longest-waiting live
 * request, or waits in a buffer for the next one; a request takes a buffered delivery at once, or
 * waits at most its timeout. A request only ever takes a delivery through its {@link Lease}, so one
 * that has gone (client left, timed out) takes nothing. A request that waited is woken on the
 * executor its context holds under {@link ConsumerBackend#WAKE_ON}, if any.
 */
final class Handoff {

	/** Guards the buffer and the waiters together, so that a delivery and a request never miss each other. */
	private final Object queuesLock = new Object();

	private final ArrayDeque<Delivery> buffer = new ArrayDeque<>();

	private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

	/**
	 * Take the next delivery for a request.
	 * @param lease the request's deliveries
	 * @param timeout how long to wait when none is buffered
	 * @param up whether the backend can serve; checked under the lock {@link #close} takes, so that
	 * a request is either refused here or waits where closing will answer it
	 * @param unavailable the error for a request the backend cannot serve
	 * @param waiting told when a request starts to wait
	 * @return the delivery, empty after the timeout, or the error
	 */
	Mono<Delivery> receive(Lease lease, Duration timeout, BooleanSupplier up,
			Supplier<RuntimeException> unavailable, Runnable waiting) {
		return receive(lease, 1, timeout, up, unavailable, waiting);
	}

	/**
	 * Take the next delivery for a request that wants several: it waits as one request, but counts
	 * as {@code wanted} toward the demand the consumer follows.
	 * @param lease the request's deliveries
	 * @param wanted how many messages the request would take
	 * @param timeout how long to wait when none is buffered
	 * @param up whether the backend can serve
	 * @param unavailable the error for a request the backend cannot serve
	 * @param waiting told when a request starts to wait
	 * @return the first delivery, empty after the timeout, or the error
	 */
	Mono<Delivery> receive(Lease lease, int wanted, Duration timeout, BooleanSupplier up,
			Supplier<RuntimeException> unavailable, Runnable waiting) {
		// Nothing is taken before the request subscribes: a chain built ahead of its turn (a stream
		// waiting for credit) and then cancelled must leave the buffer as it was.
		return Mono.defer(() -> take(lease, wanted, timeout, up, unavailable, waiting));
	}

	private Mono<Delivery> take(Lease lease, int wanted, Duration timeout, BooleanSupplier up,
			Supplier<RuntimeException> unavailable, Runnable waiting) {
		synchronized (this.queuesLock) {
			if (up.getAsBoolean()) {
				Delivery delivery = takeBuffered(lease);
				if (delivery != null) {
					// The common case under load: no waiter, no timer, no thread hop.
					return Mono.just(delivery);
				}
			}
		}
		if (!up.getAsBoolean()) {
			return Mono.error(unavailable.get());
		}
		return Mono.<Delivery>create((sink) -> {
			Waiter waiter = new Waiter(sink, lease, wanted,
					(sink.contextView().getOrDefault(ConsumerBackend.WAKE_ON, null) instanceof Executor home) ? home : null);
			sink.onCancel(() -> withdraw(waiter));
			Delivery arrived = null;
			boolean refused;
			synchronized (this.queuesLock) {
				refused = !up.getAsBoolean();
				if (!refused) {
					arrived = takeBuffered(lease);
					if (arrived == null) {
						this.waiters.add(waiter);
					}
				}
			}
			if (refused) {
				sink.error(unavailable.get());
			}
			else if (arrived != null) {
				sink.success(arrived);
			}
			else {
				waiting.run();
			}
		}).take(timeout);
	}

	/**
	 * Give a delivery to the longest-waiting live request, or keep it for the next one.
	 * @param delivery the delivery
	 * @param current whether its source is still current; checked under the lock, so that a late
	 * delivery of a lost channel is never taken
	 */
	void offer(Delivery delivery, BooleanSupplier current) {
		Waiter waiter;
		synchronized (this.queuesLock) {
			if (!current.getAsBoolean()) {
				return;
			}
			while ((waiter = this.waiters.poll()) != null) {
				if (waiter.lease.take(delivery)) {
					break;
				}
			}
			if (waiter == null) {
				this.buffer.add(delivery);
				return;
			}
		}
		waiter.wake(delivery);
	}

	/**
	 * Give back deliveries a request took and will not use, oldest first: to waiting requests, or
	 * into the buffer where their delivery tags put them (near its front), so that the next
	 * request takes them before later ones. At the back they would wait for the whole buffer, and
	 * every acknowledgement of a later delivery would wait for theirs (acknowledgements go together
	 * only up to the oldest delivery not settled).
	 * @param deliveries the deliveries, oldest first
	 */
	void giveBack(List<Delivery> deliveries) {
		List<Waiter> answered = new ArrayList<>();
		List<Delivery> answers = new ArrayList<>();
		synchronized (this.queuesLock) {
			int next = 0;
			Waiter waiter;
			while (next < deliveries.size() && (waiter = this.waiters.poll()) != null) {
				if (waiter.lease.take(deliveries.get(next))) {
					answered.add(waiter);
					answers.add(deliveries.get(next++));
				}
			}
			List<Delivery> front = new ArrayList<>();
			while (next < deliveries.size()) {
				Delivery head = this.buffer.peekFirst();
				if (head != null && head.deliveryTag() < deliveries.get(next).deliveryTag()) {
					front.add(this.buffer.pollFirst());
				}
				else {
					front.add(deliveries.get(next++));
				}
			}
			for (int i = front.size() - 1; i >= 0; i--) {
				this.buffer.addFirst(front.get(i));
			}
		}
		for (int i = 0; i < answered.size(); i++) {
			answered.get(i).wake(answers.get(i));
		}
	}

	/**
	 * Answer every waiting request with an error, and optionally forget the buffer.
	 * @param error the error for the waiting requests
	 * @param dropBuffer whether the buffered deliveries died with their source
	 */
	void close(RuntimeException error, boolean dropBuffer) {
		List<Waiter> stranded;
		synchronized (this.queuesLock) {
			if (dropBuffer) {
				this.buffer.clear();
			}
			stranded = new ArrayList<>(this.waiters);
			this.waiters.clear();
		}
		stranded.forEach((waiter) -> waiter.sink.error(error));
	}

	/**
	 * When the oldest buffered delivery was received.
	 * @return its time of receipt on {@link System#nanoTime()}'s clock, or null when none is buffered
	 */
	@Nullable Long oldestBuffered() {
		synchronized (this.queuesLock) {
			Delivery oldest = this.buffer.peek();
			return (oldest != null) ? oldest.receivedNanos() : null;
		}
	}

	/**
	 * Take every buffered delivery out, to give it back to the broker, unless a request waits (it
	 * would have taken one already, so the buffer is empty then anyway).
	 * @return the deliveries taken out, oldest first
	 */
	List<Delivery> takeAllBuffered() {
		synchronized (this.queuesLock) {
			if (!this.waiters.isEmpty()) {
				return List.of();
			}
			List<Delivery> taken = new ArrayList<>(this.buffer);
			this.buffer.clear();
			return taken;
		}
	}

	boolean hasWaiters() {
		synchronized (this.queuesLock) {
			return !this.waiters.isEmpty();
		}
	}

	/**
	 * The messages the waiting requests want.
	 * @return one per waiting request, or what a request for several wants
	 */
	int waiting() {
		synchronized (this.queuesLock) {
			int wanted = 0;
			for (Waiter waiter : this.waiters) {
				wanted += waiter.wanted;
			}
			return wanted;
		}
	}

	/**
	 * Take buffered deliveries for a request that already has one and wants more, without waiting.
	 * @param lease the request's deliveries
	 * @param max most deliveries to take
	 * @return the deliveries taken, oldest first
	 */
	List<Delivery> takeBuffered(Lease lease, int max) {
		List<Delivery> taken = new ArrayList<>(Math.min(max, 16));
		synchronized (this.queuesLock) {
			while (taken.size() < max) {
				Delivery delivery = takeBuffered(lease);
				if (delivery == null) {
					break;
				}
				taken.add(delivery);
			}
		}
		return taken;
	}

	int buffered() {
		synchronized (this.queuesLock) {
			return this.buffer.size();
		}
	}

	// Under the lock.
	private @Nullable Delivery takeBuffered(Lease lease) {
		Delivery delivery = this.buffer.peek();
		if (delivery == null || !lease.take(delivery)) {
			return null;
		}
		return this.buffer.poll();
	}

	private void withdraw(Waiter waiter) {
		synchronized (this.queuesLock) {
			this.waiters.remove(waiter);
		}
	}

	private record Waiter(MonoSink<Delivery> sink, Lease lease, int wanted, @Nullable Executor home) {

		/**
		 * Answer the request on its own thread: a delivery offered on the broker connection's reader
		 * would otherwise have the reader build and write the answer, while the broker's next
		 * messages wait in the socket (and a batch woken at once finds none of them buffered yet).
		 */
		void wake(Delivery delivery) {
			if (this.home != null) {
				try {
					this.home.execute(() -> this.sink.success(delivery));
					return;
				}
				catch (RejectedExecutionException ex) {
					// Its thread is shutting down: answered here instead.
				}
			}
			this.sink.success(delivery);
		}

	}

}
