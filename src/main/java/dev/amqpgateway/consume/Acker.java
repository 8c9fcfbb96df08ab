package dev.amqpgateway.consume;

import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Sends the acks and nacks of one backend off the caller's thread (often a Netty event loop), one
 * drain at a time, and coalesces acks: when every delivery up to a tag is settled, one
 * {@code basic.ack} with {@code multiple=true} acknowledges them all. Acks above a delivery still
 * in flight wait for it at least {@link #HOLD}, then go one by one, so that a slow request never
 * holds the others' acknowledgements (and the prefetch window) for long; an ack held for less goes
 * with the next hold, since under load some ack is held at every moment while requests overlap.
 *
 * <p>Delivery tags start again at 1 on every channel, so the state is kept for one channel at a
 * time: the one the backend {@link #adopt adopted} last. Two channels can be open at once (the
 * broker cancelled the consumer, and closing the old channel waits for the broker), so only the
 * backend, which opens them, can say which one is current; a settlement never does.
 */
final class Acker {

	private static final Log logger = LogFactory.getLog(Acker.class);

	static final Duration HOLD = Duration.ofMillis(20);

	static final Duration BATCH = Duration.ofMillis(1);

	private final Queue<Entry> pending = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean draining = new AtomicBoolean();

	private final AtomicBoolean flushScheduled = new AtomicBoolean();

	private final AtomicBoolean flushRequested = new AtomicBoolean();

	/** Set when the hold of the acks held at {@link #holdStarted} is over. */
	private final AtomicBoolean holdOver = new AtomicBoolean();

	private final ScheduledExecutorService executor;

	// Touched by the single draining thread only.
	private @Nullable Channel channel;

	private long settledUpTo;

	private BitSet settled = new BitSet();

	private BitSet heldAcks = new BitSet();

	/**
	 * The acks held when the pending hold started (bit i is tag {@link #holdStartedAbove} + i + 1):
	 * only they go one by one when it is over, so that an ack held a moment before is not sent
	 * alone when the gap below it is about to close.
	 */
	private BitSet holdStarted = new BitSet();

	private long holdStartedAbove;

	/**
	 * Create an acker.
	 * @param executor the thread that sends; it may block on the broker's socket, so it must be
	 * neither an event loop nor a thread the AMQP client reads on
	 */
	Acker(ScheduledExecutorService executor) {
		this.executor = executor;
	}

	/**
	 * Make a channel the current one, before it consumes: queued with the settlements, this comes
	 * before any settlement of the channel's deliveries.
	 * @param channel the channel the backend consumes from from now on
	 */
	void adopt(Channel channel) {
		submit(new Adopt(channel));
	}

	Delivery.Settlement settlementOf(Channel channel, long deliveryTag, SettlementListener listener) {
		return new Delivery.Settlement() {

			@Override
			public void ack() {
				submit(new Settle(channel, deliveryTag, Kind.ACK, listener));
			}

			@Override
			public void requeue() {
				submit(new Settle(channel, deliveryTag, Kind.REQUEUE, listener));
			}

			@Override
			public void reject() {
				submit(new Settle(channel, deliveryTag, Kind.REJECT, listener));
			}

		};
	}

	private void submit(Entry entry) {
		this.pending.add(entry);
		drainSoon();
	}

	// Waiting a moment gathers the acks of concurrent requests into one multiple-ack frame: under
	// load, one frame and one wake-up of the sending thread per millisecond instead of per message.
	private void drainSoon() {
		if (this.draining.compareAndSet(false, true)) {
			this.executor.schedule(this::drain, BATCH.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

	/**
	 * Send every settlement submitted so far, held acks included, and wait until they are sent, at
	 * most the given time: before the channel closes, so that a message settled a moment earlier is
	 * not redelivered as if it had never been acknowledged.
	 * @param timeout the longest wait
	 */
	void flush(Duration timeout) {
		// On the executor's one thread, as every drain, so that the state stays one thread's.
		Future<?> flushed = this.executor.submit(() -> {
			this.flushRequested.set(true);
			settlePending();
		});
		try {
			flushed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.warn("Settlements not sent before the channel closes; the broker requeues their messages: " + ex);
		}
	}

	private void drain() {
		do {
			settlePending();
			this.draining.set(false);
		}
		while ((!this.pending.isEmpty() || this.flushRequested.get()) && this.draining.compareAndSet(false, true));
		if (!this.heldAcks.isEmpty() && this.flushScheduled.compareAndSet(false, true)) {
			this.holdStarted = (BitSet) this.heldAcks.clone();
			this.holdStartedAbove = this.settledUpTo;
			this.executor.schedule(this::holdOver, HOLD.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

	private void settlePending() {
		Entry entry;
		while ((entry = this.pending.poll()) != null) {
			try {
				if (entry instanceof Adopt adopt) {
					apply(adopt);
				}
				else {
					apply((Settle) entry);
				}
			}
			catch (RuntimeException ex) {
				// One failed settlement must never stall the ones queued behind it.
				logger.warn("Settlement failed: " + ex);
			}
		}
		sendCoalescedAcks();
		if (this.flushRequested.getAndSet(false)) {
			sendHeldAcksOneByOne();
		}
		else if (this.holdOver.getAndSet(false)) {
			sendAcksHeldSinceTheHoldStarted();
		}
	}

	private void apply(Adopt adopt) {
		Channel previous = this.channel;
		if (previous != null && previous.isOpen()) {
			// Its deliveries are still unacknowledged there: forgetting the held acks would make the
			// broker redeliver messages that clients already have.
			sendHeldAcksOneByOne();
		}
		// A new channel: its delivery tags start again at 1.
		this.channel = adopt.channel;
		this.settledUpTo = 0;
		this.settled = new BitSet();
		this.heldAcks = new BitSet();
		this.holdStarted = new BitSet();
	}

	private void apply(Settle settle) {
		if (settle.channel != this.channel) {
			// A channel replaced while this delivery was out: its state is gone, so the settlement
			// goes alone (a delivery settles once, so nothing else settles its tag). A closed channel
			// gets nothing; the broker has requeued its deliveries.
			if (settle.channel.isOpen()) {
				sendAlone(settle);
			}
			return;
		}
		int index = (int) (settle.tag - this.settledUpTo - 1);
		if (index < 0 || this.settled.get(index)) {
			return;
		}
		this.settled.set(index);
		if (settle.kind == Kind.ACK) {
			this.heldAcks.set(index);
			settle.listener.acked();
		}
		else {
			sendAlone(settle);
		}
	}

	private static void sendAlone(Settle settle) {
		switch (settle.kind) {
			case ACK -> {
				send(() -> settle.channel.basicAck(settle.tag, false));
				settle.listener.acked();
			}
			case REQUEUE -> {
				send(() -> settle.channel.basicNack(settle.tag, false, true));
				settle.listener.requeued();
			}
			case REJECT -> {
				send(() -> settle.channel.basicReject(settle.tag, false));
				settle.listener.rejected();
			}
		}
	}

	private void sendCoalescedAcks() {
		Channel current = this.channel;
		int prefix = this.settled.nextClearBit(0);
		if (current == null || prefix == 0) {
			return;
		}
		int lastAck = this.heldAcks.previousSetBit(prefix - 1);
		if (lastAck >= 0) {
			long tag = this.settledUpTo + lastAck + 1;
			send(() -> current.basicAck(tag, true));
		}
		this.settled = this.settled.get(prefix, Math.max(prefix, this.settled.length()));
		this.heldAcks = this.heldAcks.get(prefix, Math.max(prefix, this.heldAcks.length()));
		this.settledUpTo += prefix;
	}

	private void holdOver() {
		this.flushScheduled.set(false);
		this.holdOver.set(true);
		drainSoon();
	}

	private void sendAcksHeldSinceTheHoldStarted() {
		Channel current = this.channel;
		BitSet started = this.holdStarted;
		this.holdStarted = new BitSet();
		if (current == null) {
			return;
		}
		for (int bit = started.nextSetBit(0); bit >= 0; bit = started.nextSetBit(bit + 1)) {
			long tag = this.holdStartedAbove + bit + 1;
			// Below the settled prefix: a multiple ack has covered it meanwhile.
			int index = (int) (tag - this.settledUpTo - 1);
			if (index >= 0 && this.heldAcks.get(index)) {
				send(() -> current.basicAck(tag, false));
				this.heldAcks.clear(index);
			}
		}
	}

	private void sendHeldAcksOneByOne() {
		Channel current = this.channel;
		if (current == null) {
			return;
		}
		for (int index = this.heldAcks.nextSetBit(0); index >= 0; index = this.heldAcks.nextSetBit(index + 1)) {
			long tag = this.settledUpTo + index + 1;
			send(() -> current.basicAck(tag, false));
		}
		this.heldAcks.clear();
	}

	private static void send(ChannelOperation operation) {
		try {
			operation.run();
		}
		catch (IOException | ShutdownSignalException ex) {
			// The channel is gone, and with it the delivery: the broker has requeued it already.
			logger.debug("Could not settle a delivery on a closed channel: " + ex.getMessage());
		}
	}

	@FunctionalInterface
	private interface ChannelOperation {

		void run() throws IOException;

	}

	private enum Kind {

		ACK, REQUEUE, REJECT

	}

	private sealed interface Entry permits Adopt, Settle {
	}

	private record Adopt(Channel channel) implements Entry {
	}

	private record Settle(Channel channel, long tag, Kind kind, SettlementListener listener) implements Entry {
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
