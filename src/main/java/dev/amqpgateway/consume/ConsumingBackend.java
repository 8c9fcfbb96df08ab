package dev.amqpgateway.consume;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.amqpgateway.broker.BrokerConnector;
import dev.amqpgateway.config.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.scheduling.TaskScheduler;

/**
 * A backend with manual acknowledgements ({@code auto_ack: false}): a consumer whose deliveries go
 * straight to waiting requests, or wait for the next request in a buffer. A request takes a
 * delivery only while it is alive; what it took and did not write is requeued by its
 * {@link Lease}.
 *
 * <p>The consumer follows demand, so that messages never wait in this instance while a client of
 * another instance wants them: it is subscribed only once a request waits, with a prefetch of the
 * requests waiting then, doubled each time a request has to wait after the consumer received its
 * whole prefetch (never beyond the backend's prefetch, counting what earlier consumers of the
 * channel still hold). Growth does not wait for the consumer to be full by the gateway's count:
 * the broker counts a message until its acknowledgement is sent, and the gateway gathers
 * acknowledgements for a moment before sending them. Without a request
 * for {@code release_after} it is cancelled; a message taken ahead of demand and left unclaimed that
 * long goes back to the queue when the queue has other consumers (it stays when this backend is
 * the queue's only consumer, since nobody else could take it). A queue that is exclusive or
 * auto-deleted is consumed all the time: nobody else can consume it, and cancelling the last
 * consumer would delete it.
 *
 * <p>The prefetch of a consumer cannot change once it consumes (RabbitMQ applies {@code basic.qos}
 * to later consumers only, and quorum queues refuse a channel-wide one), so a window grows by
 * replacing the consumer; subscription changes are broker round trips and run on the broker's
 * connector thread, one at a time, never on an event loop.
 */
final class ConsumingBackend extends AbstractConsumerBackend {

	/** How long closing waits for the settlements made so far to be sent; a hung broker gets no more. */
	private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(2);

	private final Acker acker;

	private final int window;

	private final long releaseAfterNanos;

	private final boolean consumesAlways;

	private final TaskScheduler scheduler;

	private final Duration checkEvery;

	/** How often expired leases are looked for: a lease lasts at least a second. */
	private static final Duration LEASE_SWEEP = Duration.ofMillis(250);

	private final AtomicBoolean adjustQueued = new AtomicBoolean();

	/** Channels opened so far: a lease names the channel its message came on. */
	private final AtomicLong generations = new AtomicLong();

	private final AtomicBoolean checkQueued = new AtomicBoolean();

	private volatile long lastRequestNanos = System.nanoTime();

	/** The open channel and its consumer; replaced when a channel opens, changed on the connector thread only. */
	private volatile @Nullable ChannelState state;

	/** The checks run from the first channel on, for as long as the gateway runs. */
	private final AtomicBoolean checksStarted = new AtomicBoolean();

	ConsumingBackend(BackendContext context) {
		super(context);
		this.acker = context.acker();
		this.window = context.prefetch();
		this.releaseAfterNanos = context.releaseAfter().toNanos();
		Consumer consumer = backend().consumer();
		this.consumesAlways = consumer.exclusive() || consumer.delete();
		this.scheduler = context.channel().scheduler();
		this.checkEvery = context.releaseAfter().dividedBy(4);
	}

	@Override
	public void opened(Channel channel) throws IOException {
		// Before the first delivery, so that the acker never takes a late settlement of the channel
		// this one replaces for the current one.
		this.acker.adopt(channel);
		ChannelState opened = new ChannelState(channel, this.generations.incrementAndGet());
		this.state = opened;
		if (this.consumesAlways) {
			subscribe(opened, this.window);
		}
		if (this.checksStarted.compareAndSet(false, true)) {
			this.scheduler.scheduleWithFixedDelay(this::checkSoon, this.checkEvery);
			this.scheduler.scheduleWithFixedDelay(this::expireLeases, LEASE_SWEEP);
		}
	}

	/**
	 * Send the settlements made so far (the acker sends them a moment later), then close the
	 * channel: what was acknowledged just before the shutdown is not redelivered.
	 */
	@Override
	void stop() {
		this.acker.flush(FLUSH_TIMEOUT);
		super.stop();
	}

	@Override
	String settledAs() {
		return "rejected without requeue (dead-lettered if the queue has a dead-letter exchange)";
	}

	@Override
	public void lost(String reason) {
		this.state = null;
		// The broker requeues what was out on the channel, leased messages included.
		this.leases.channelLost(this.generations.get());
		// Buffered deliveries died with their channel; the broker has requeued them.
		this.handoff.close(unavailable(), true);
	}

	@Override
	void requested() {
		this.lastRequestNanos = System.nanoTime();
	}

	/**
	 * Queue {@link #adjust()} on the connector thread, unless it could not change anything: a
	 * consumer that has not received its whole prefetch yet, or that could not grow, is kept as it is,
	 * and a stream that keeps up waits once per message. State read here may change before the
	 * connector thread would have read it; a consumer that becomes full meanwhile is seen by the
	 * next request that waits, or by {@link #check()}.
	 */
	@Override
	void waitingStarted() {
		if (keepsConsumer()) {
			return;
		}
		if (this.adjustQueued.compareAndSet(false, true)) {
			connector().execute(() -> {
				this.adjustQueued.set(false);
				adjust();
			});
		}
	}

	private void expireLeases() {
		if (this.leases.size() > 0) {
			int expired = this.leases.expire(Instant.now());
			if (expired > 0 && this.logger.isDebugEnabled()) {
				this.logger.debug(expired + " leases expired, their messages requeued: " + describe());
			}
		}
	}

	// One check queued at a time: the connector thread may be busy connecting for a while.
	private void checkSoon() {
		if (this.checkQueued.compareAndSet(false, true)) {
			connector().execute(() -> {
				this.checkQueued.set(false);
				check();
			});
		}
	}

	private boolean keepsConsumer() {
		ChannelState current = this.state;
		Subscription consumer = (current != null) ? current.subscription : null;
		return consumer != null && (consumer.delivered.get() < consumer.prefetch
				|| !grows(consumer, this.window - current.unsettled.get()));
	}

	/**
	 * Subscribe when requests wait and nothing consumes, or grow the consumer when requests wait
	 * although its whole prefetch has come.
	 */
	private void adjust() {
		ChannelState current = this.state;
		int waiting = this.handoff.waiting();
		if (current == null || waiting == 0 || !isUp()) {
			return;
		}
		Subscription consumer = current.subscription;
		int room = this.window - current.unsettled.get();
		try {
			if (consumer == null) {
				if (room > 0) {
					subscribe(current, Math.min(room, waiting));
				}
			}
			else if (consumer.delivered.get() >= consumer.prefetch && grows(consumer, room)) {
				current.channel.basicCancel(consumer.tag);
				current.subscription = null;
				subscribe(current, Math.min(room, consumer.prefetch * 2));
			}
		}
		catch (IOException | ShutdownSignalException ex) {
			// The channel is closing; its loss is handled where it is noticed.
		}
	}

	/**
	 * Ask the broker, with {@code basic.get} off the event loops, for what the queue has ready and
	 * the consumer cannot bring, until the batch is full or the queue has none ready; what arrives
	 * meanwhile from the consumer is taken first. A consumer that {@link #streams streams} brings
	 * the rest itself, and the batch goes with what has arrived.
	 */
	@Override
	Mono<List<Delivery>> topUp(Lease lease, List<Delivery> batch, int max) {
		ChannelState current = this.state;
		if (current == null || !isUp() || streams(current.subscription, max - batch.size())) {
			return Mono.just(batch);
		}
		return Mono.fromCallable(() -> {
			try {
				while (batch.size() < max) {
					List<Delivery> arrived = this.handoff.takeBuffered(lease, max - batch.size());
					if (!arrived.isEmpty()) {
						batch.addAll(arrived);
						continue;
					}
					this.metrics.fetching();
					GetResponse response = current.channel.basicGet(queue(), false);
					if (response == null) {
						// Deliveries the broker sent the consumer before its get-empty reply have been
						// handed over by now (callbacks run on the reader thread, in frame order).
						batch.addAll(this.handoff.takeBuffered(lease, max - batch.size()));
						break;
					}
					current.unsettled.incrementAndGet();
					Delivery delivery = new Delivery(response.getBody(), response.getProps(), response.getEnvelope(),
							current.generation, counted(this.acker.settlementOf(current.channel, response.getEnvelope().getDeliveryTag(),
									this.metrics), current, null));
					if (refusedAsOversize(response.getBody(), delivery::reject)) {
						continue;
					}
					if (!lease.take(delivery)) {
						// The request is over: the message goes back at once.
						delivery.requeue();
						break;
					}
					batch.add(delivery);
				}
			}
			catch (IOException | ShutdownSignalException ex) {
				// The channel is closing; the batch goes out with what it has.
			}
			return inQueueOrder(lease, batch, max);
		}).subscribeOn(Schedulers.boundedElastic());
	}

	/**
	 * Whether the consumer brings what a batch lacks as fast as the broker can: it is past its start
	 * (it has received a whole prefetch) and has the credit for the rest. The broker pushes a ready
	 * message to a consumer with credit at once, so what the batch lacks then is in flight or not
	 * in the queue; a {@code basic.get} would cost the broker a round trip through the queue for
	 * each message (under load, a third more broker CPU per message, and gets waiting on each other
	 * on the channel), and slow down the very deliveries the batch waits for. A new consumer, or
	 * one without the credit (a small {@code prefetch_count}, or many messages unsettled), has gets
	 * fill the batch.
	 */
	private static boolean streams(@Nullable Subscription consumer, int lacking) {
		return consumer != null && consumer.delivered.get() >= consumer.prefetch
				&& consumer.prefetch - consumer.unsettled.get() >= lacking;
	}

	/**
	 * Put a batch in the queue's order. A get may have taken a message from behind one the broker
	 * had already sent the consumer: that one is in the buffer now, and it takes the place of the
	 * batch's last, which goes back into the buffer, in its place by delivery tag, for the next
	 * request. The consumer's deliveries and the gets share the channel's numbering, which is the
	 * order the broker handed them out.
	 */
	private List<Delivery> inQueueOrder(Lease lease, List<Delivery> batch, int max) {
		List<Delivery> all = new ArrayList<>(batch);
		all.addAll(this.handoff.takeBuffered(lease, max));
		all.sort(Comparator.comparingLong(Delivery::deliveryTag));
		if (all.size() <= max) {
			return all;
		}
		List<Delivery> later = new ArrayList<>(all.subList(max, all.size()));
		later.forEach(lease::giveBack);
		this.handoff.giveBack(later);
		return new ArrayList<>(all.subList(0, max));
	}

	/**
	 * Whether replacing the consumer gives the channel more room: a larger consumer, or, when the
	 * consumer has no credit left (its messages are all unsettled: leased, or being written), any
	 * consumer with credit. Replacing costs three round trips and a pause in deliveries, so a
	 * consumer at the backend's prefetch that still has credit is kept.
	 */
	private static boolean grows(Subscription consumer, int room) {
		int next = Math.min(room, consumer.prefetch * 2);
		int available = consumer.prefetch - consumer.unsettled.get();
		return next > available && (next > consumer.prefetch || available <= 0);
	}

	/**
	 * Cancel the consumer after {@code release_after} without a request, and give back to the
	 * queue what was taken ahead of demand and waited that long, when others could take it. While
	 * nothing consumes, the queue is looked up every {@code release_after} instead: its consumer count
	 * says whether others could take a message, and a queue deleted meanwhile closes the channel,
	 * which is then opened and the queue declared again, as a cancelled consumer would have caused.
	 */
	private void check() {
		ChannelState current = this.state;
		if (current == null || this.consumesAlways || !isUp()) {
			return;
		}
		if (this.handoff.hasWaiters()) {
			adjust();
			return;
		}
		long now = System.nanoTime();
		Long oldest = this.handoff.oldestBuffered();
		boolean idle = now - this.lastRequestNanos >= this.releaseAfterNanos;
		boolean unclaimed = oldest != null && now - oldest >= this.releaseAfterNanos;
		try {
			Subscription subscription = current.subscription;
			if ((idle || unclaimed) && subscription != null) {
				current.channel.basicCancel(subscription.tag);
				current.subscription = null;
			}
			if (current.subscription == null && now - current.lastQueueCheck >= this.releaseAfterNanos) {
				current.lastQueueCheck = now;
				int others = current.channel.queueDeclarePassive(queue()).getConsumerCount();
				if (unclaimed && others > 0) {
					release();
				}
			}
		}
		catch (IOException | ShutdownSignalException ex) {
			// The channel is closing; its loss is handled where it is noticed.
		}
	}

	private void release() {
		List<Delivery> unclaimed = this.handoff.takeAllBuffered();
		if (unclaimed.isEmpty()) {
			return;
		}
		unclaimed.forEach(Delivery::requeue);
		this.metrics.released(unclaimed.size());
		if (this.logger.isDebugEnabled()) {
			this.logger.debug("Gave " + unclaimed.size() + " unclaimed messages back to the queue for its other consumers: "
					+ describe());
		}
	}

	// On the connector thread (or while the channel opens, before anyone else sees it).
	private void subscribe(ChannelState current, int prefetch) throws IOException {
		Subscription subscription = new Subscription(prefetch);
		current.channel.basicQos(prefetch);
		subscription.tag = current.channel.basicConsume(queue(), false, "", backend().consumer().noLocal(),
				false, null, new GatewayConsumer(current, subscription));
		current.subscription = subscription;
	}

	/**
	 * A settlement that also counts the delivery as settled on its channel and consumer.
	 */
	private static Delivery.Settlement counted(Delivery.Settlement settlement, ChannelState channel,
			@Nullable Subscription subscription) {
		return new Delivery.Settlement() {

			@Override
			public void ack() {
				settled();
				settlement.ack();
			}

			@Override
			public void requeue() {
				settled();
				settlement.requeue();
			}

			@Override
			public void reject() {
				settled();
				settlement.reject();
			}

			private void settled() {
				channel.unsettled.decrementAndGet();
				if (subscription != null) {
					subscription.unsettled.decrementAndGet();
				}
			}

		};
	}

	private BrokerConnector connector() {
		return broker().connector();
	}

	/**
	 * An open channel and what is out on it.
	 */
	private static final class ChannelState {

		private final Channel channel;

		/** Deliveries of the channel not settled yet, whichever consumer they came from. */
		private final AtomicInteger unsettled = new AtomicInteger();

		private volatile @Nullable Subscription subscription;

		private long lastQueueCheck = System.nanoTime();

		/** Which channel of the backend this is, from 1. */
		private final long generation;

		ChannelState(Channel channel, long generation) {
			this.channel = channel;
			this.generation = generation;
		}

	}

	/**
	 * One consumer and its prefetch.
	 */
	private static final class Subscription {

		private final int prefetch;

		/** Deliveries of this consumer not settled yet. */
		private final AtomicInteger unsettled = new AtomicInteger();

		/** Deliveries of this consumer so far: once its whole prefetch came, demand outruns it. */
		private final AtomicInteger delivered = new AtomicInteger();

		private volatile String tag = "";

		Subscription(int prefetch) {
			this.prefetch = prefetch;
		}

	}

	private final class GatewayConsumer extends DefaultConsumer {

		private final ChannelState channelState;

		private final Subscription subscription;

		GatewayConsumer(ChannelState channelState, Subscription subscription) {
			super(channelState.channel);
			this.channelState = channelState;
			this.subscription = subscription;
		}

		@Override
		public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
				byte[] body) {
			Channel from = getChannel();
			this.channelState.unsettled.incrementAndGet();
			this.subscription.unsettled.incrementAndGet();
			this.subscription.delivered.incrementAndGet();
			Delivery.Settlement settlement = counted(ConsumingBackend.this.acker.settlementOf(from,
					envelope.getDeliveryTag(), ConsumingBackend.this.metrics), this.channelState, this.subscription);
			Delivery delivery = new Delivery(body, properties, envelope, this.channelState.generation, settlement);
			if (refusedAsOversize(body, delivery::reject)) {
				return;
			}
			// A late delivery of a lost channel, which the broker requeues, is never taken.
			ConsumingBackend.this.handoff.offer(delivery, () -> from == channel());
		}

		@Override
		public void handleCancel(String consumerTag) {
			ConsumingBackend.this.lost(getChannel(), "the broker cancelled the consumer (queue deleted?)");
		}

	}

}
