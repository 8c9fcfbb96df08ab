package dev.amqpgateway.consume;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.rabbitmq.client.Channel;
import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.ChannelStatus;
import dev.amqpgateway.broker.ReconnectingChannel;
import dev.amqpgateway.config.Backend;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What every consumer backend does alike: it keeps a {@link ReconnectingChannel} to its broker,
 * meets requests and deliveries in a {@link Handoff}, keeps oversize messages from every request,
 * and answers with {@link BackendUnavailableException} while it cannot serve. Subclasses say how
 * messages are taken from the channel and what becomes of them when it is lost.
 */
abstract class AbstractConsumerBackend implements ConsumerBackend, ReconnectingChannel.User {

	protected final Log logger = LogFactory.getLog(getClass());

	private final BackendKey key;

	private final Backend backend;

	private final Broker broker;

	private final long maxMessageSize;

	private final PoisonPolicy poison;

	protected final BackendMetrics metrics;

	/** Where this backend's deliveries meet its requests. */
	protected final Handoff handoff = new Handoff();

	/** The messages clients hold on lease. */
	protected final LeaseBook leases;

	private final ReconnectingChannel channel;

	/** Set once the gateway shuts down: from then on no request takes a message. */
	private volatile boolean refusing;

	AbstractConsumerBackend(BackendContext context) {
		this.key = context.key();
		this.backend = context.backend();
		this.broker = context.channel().broker();
		this.metrics = context.metrics();
		this.maxMessageSize = context.maxMessageSize();
		this.poison = context.poison();
		this.leases = new LeaseBook(context.leaseCap());
		this.channel = new ReconnectingChannel(context.channel(), describe(), this.backend.consumer().declare(),
				this, this.logger);
	}

	@Override
	public Mono<Delivery> receive(Lease lease, Duration timeout) {
		requested();
		return this.handoff.receive(lease, timeout, this::isUp, this::unavailable, this::waitingStarted);
	}

	@Override
	public Mono<List<Delivery>> receive(Lease lease, int max, Duration timeout) {
		requested();
		return this.handoff.receive(lease, max, timeout, this::isUp, this::unavailable, this::waitingStarted)
			.flatMap((first) -> {
				List<Delivery> batch = new ArrayList<>(max);
				batch.add(first);
				batch.addAll(this.handoff.takeBuffered(lease, max - 1));
				return (batch.size() < max) ? topUp(lease, batch, max) : Mono.just(batch);
			});
	}

	/**
	 * Add to a batch what the queue has ready beyond what this backend holds.
	 * @param lease the request's deliveries
	 * @param batch the deliveries taken so far, at least one
	 * @param max most deliveries in the batch
	 * @return the batch, with what could be added
	 */
	Mono<List<Delivery>> topUp(Lease lease, List<Delivery> batch, int max) {
		return Mono.just(batch);
	}

	@Override
	public LeaseBook.Leased lease(Delivery delivery, Duration timeout, Runnable over) {
		return this.leases.hold(delivery, timeout, over);
	}

	@Override
	public LeaseBook leases() {
		return this.leases;
	}

	@Override
	public boolean settleFailed(Delivery delivery) {
		return this.poison.settleFailed(delivery);
	}

	@Override
	public long deliveryCount(Delivery delivery) {
		Object count = delivery.headers().get("x-delivery-count");
		if (count instanceof Number number) {
			return number.longValue() + 1;
		}
		// A failure requeues the message, so a first delivery has none to look up (and the lookup
		// hashes a body without a message id).
		return delivery.redelivered() ? this.poison.failuresOf(delivery) + 1 : 1;
	}

	@Override
	public String endpoint() {
		return this.key.endpoint();
	}

	@Override
	public int index() {
		return this.key.index();
	}

	@Override
	public @Nullable String agent() {
		return this.key.agent();
	}

	@Override
	public Backend backend() {
		return this.backend;
	}

	@Override
	public Broker broker() {
		return this.broker;
	}

	@Override
	public ChannelStatus status() {
		return this.channel.status();
	}

	@Override
	public BackendMetrics metrics() {
		return this.metrics;
	}

	/**
	 * Keep a message over {@code max_message_size} from every request: it is settled the way this
	 * backend settles what it will never serve, counted, and logged once.
	 * @param body the message body
	 * @param settle rejects the message without requeue, or drops it when the broker forgot it
	 * @return true when the message was too large and is settled
	 */
	boolean refusedAsOversize(byte[] body, Runnable settle) {
		if (body.length <= this.maxMessageSize) {
			return false;
		}
		settle.run();
		this.metrics.oversize();
		this.logger.warn("Message over max_message_size (" + body.length + " bytes, limit " + this.maxMessageSize
				+ "): " + describe() + "; " + settledAs());
		return true;
	}

	/**
	 * What becomes of a message this backend will never serve, for the log.
	 * @return a few words
	 */
	abstract String settledAs();

	/**
	 * Told when a request asks for a message, before it takes or waits for one.
	 */
	void requested() {
	}

	/**
	 * Told when a request starts to wait because no message is at hand.
	 */
	void waitingStarted() {
	}

	/**
	 * Requests waiting for a message of this backend now.
	 * @return the number of waiting requests
	 */
	int waiting() {
		return this.handoff.waiting();
	}

	/**
	 * Messages received and held for the next request.
	 * @return the number of buffered messages
	 */
	int buffered() {
		return this.handoff.buffered();
	}

	/**
	 * Checks, when nothing is declared, that the queue exists before the channel is used.
	 */
	@Override
	public void check(Channel channel) throws IOException {
		if (!this.backend.consumer().declare()) {
			channel.queueDeclarePassive(queue());
		}
	}

	@Override
	public String working() {
		return "Consuming";
	}

	@Override
	public String failing() {
		return "Cannot consume";
	}

	/**
	 * Make the first connection attempt.
	 * @return completes once the first attempt has succeeded or failed
	 */
	CompletableFuture<Void> start() {
		return this.channel.start();
	}

	/**
	 * Answer the waiting requests and every later one at once, since the gateway is shutting down;
	 * the channel stays open so that responses already being written are still acknowledged, and
	 * what is buffered goes back to the queue when it closes.
	 */
	void refuseRequests() {
		this.refusing = true;
		this.handoff.close(unavailable(), false);
	}

	void stop() {
		this.channel.stop();
	}

	/**
	 * The exception a request gets while this backend cannot serve; a cycle that gave up starts
	 * again, so the next attempt is the one the exception announces.
	 * @return the exception to answer with
	 */
	BackendUnavailableException unavailable() {
		if (this.refusing) {
			return new BackendUnavailableException(
					"Queue '" + queue() + "' on " + this.broker.display() + " is unavailable: the gateway is shutting down",
					null);
		}
		this.channel.wanted("a request asked for it");
		ChannelStatus status = status();
		String reason = (status.lastError() != null) ? status.lastError() : status.state().name().toLowerCase();
		return new BackendUnavailableException(
				"Queue '" + queue() + "' on " + this.broker.display() + " is unavailable: " + reason,
				status.nextAttempt());
	}

	@Nullable Channel channel() {
		return this.channel.channel();
	}

	/**
	 * Report the loss of a channel noticed by this backend itself (its consumer was cancelled).
	 * @param lostChannel the channel
	 * @param reason why
	 */
	void lost(Channel lostChannel, String reason) {
		this.channel.lost(lostChannel, reason);
	}

	boolean isUp() {
		return this.channel.isUp() && !this.refusing;
	}

	final String describe() {
		String owner = (agent() != null) ? "async agent " + agent() : "endpoint " + endpoint() + " backend " + index();
		return owner + " (queue '" + queue() + "' on " + this.broker.id() + ")";
	}

}
