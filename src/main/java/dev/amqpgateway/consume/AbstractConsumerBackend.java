package dev.amqpgateway.consume;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.BrokerConnector;
import dev.amqpgateway.broker.Failures;
import dev.amqpgateway.broker.ReconnectBackOff;
import dev.amqpgateway.config.Backend;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.backoff.BackOffExecution;

/**
 * A backend's channel to its broker, kept open: opened at startup, watched for loss, and reopened
 * in the background on the backend's back-off strategy.
 *
 * <p>Connection attempts block, so they run on the broker's {@link BrokerConnector} thread; the
 * scheduler only keeps time. The channel is the client's own, not a cached Spring proxy, whose
 * methods would silently open a new channel behind a dead one. The state lock is held for
 * bookkeeping only, never across a call to the broker or to a waiting request, so that a loss
 * noticed on the client's connection thread is acted on at once.
 */
abstract class ReconnectingReceiver implements ConsumerBackend {

	protected final Log logger = LogFactory.getLog(getClass());

	private final BackendKey key;

	private final Backend backend;

	private final Broker broker;

	private final ReconnectBackOff backOff;

	private final Duration giveUpPause;

	private final TaskScheduler scheduler;

	private final long maxMessageSize;

	protected final BackendMetrics metrics;

	/** Where this backend's deliveries meet its requests. */
	protected final Handoff handoff = new Handoff();

	private final Object lock = new Object();

	private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();

	private volatile ConnectionState state = ConnectionState.CONNECTING;

	private volatile @Nullable Channel channel;

	/** Set once the gateway shuts down: from then on no request takes a message. */
	private volatile boolean refusing;

	private volatile @Nullable String lastError;

	private volatile @Nullable Instant nextAttempt;

	private volatile int attempts;

	private boolean attempting;

	private volatile @Nullable Connection lastConnection;

	private @Nullable BackOffExecution execution;

	private @Nullable ScheduledFuture<?> scheduled;

	ReconnectingReceiver(ReceiverContext context) {
		this.key = context.key();
		this.backend = context.backend();
		this.broker = context.broker();
		this.backOff = context.backOff();
		this.giveUpPause = context.giveUpPause();
		this.scheduler = context.scheduler();
		this.metrics = context.metrics();
		this.maxMessageSize = context.maxMessageSize();
	}

	/**
	 * Take the next message for a request, waiting for one at most the given time.
	 * @param lease the deliveries of the request, which takes ownership of the message
	 * @param timeout how long to wait when no message is at hand
	 * @return the delivery; empty when none came in time; an error when the backend is unavailable
	 */
	Mono<Delivery> receive(Lease lease, Duration timeout) {
		return this.handoff.receive(lease, timeout, this::isUp, this::unavailable, this::waitingStarted);
	}

	/**
	 * Keep a message over {@code max_message_size} from every request: it is settled the way its
	 * receiver settles what it will never serve, counted, and logged once.
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
	 * What becomes of a message this receiver will never serve, for the log.
	 * @return a few words
	 */
	abstract String settledAs();

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
	 * Start using a freshly opened channel (consume from it, for example).
	 * @param channel the channel, already checked for the queue when nothing is declared
	 * @throws IOException when the broker refuses
	 */
	abstract void open(Channel channel) throws IOException;

	/**
	 * Forget everything tied to a channel that is gone and answer the requests waiting on it.
	 * @param reason why it is gone
	 */
	abstract void closed(String reason);

	/**
	 * Make the first connection attempt.
	 * @return completes once the first attempt has succeeded or failed
	 */
	CompletableFuture<Void> start() {
		attempt(false);
		return this.firstAttempt;
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
		Channel current;
		synchronized (this.lock) {
			this.state = ConnectionState.STOPPED;
			cancelScheduled();
			this.nextAttempt = null;
			current = this.channel;
			this.channel = null;
		}
		this.firstAttempt.complete(null);
		closeQuietly(current);
		closed("the gateway is shutting down");
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
	public Backend backend() {
		return this.backend;
	}

	@Override
	public Broker broker() {
		return this.broker;
	}

	@Override
	public BackendStatus status() {
		synchronized (this.lock) {
			return new BackendStatus(this.state, this.lastError, this.attempts, this.nextAttempt);
		}
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
		if (this.state == ConnectionState.GAVE_UP) {
			newCycle("a request asked for it");
		}
		BackendStatus status = status();
		String reason = (status.lastError() != null) ? status.lastError() : status.state().name().toLowerCase();
		return new BackendUnavailableException(
				"Queue '" + queue() + "' on " + this.broker.display() + " is unavailable: " + reason,
				status.nextAttempt());
	}

	@Nullable Channel channel() {
		return this.channel;
	}

	boolean isUp() {
		return this.state == ConnectionState.UP && !this.refusing;
	}

	String describe() {
		return "endpoint " + endpoint() + " backend " + index() + " (queue '" + queue() + "' on " + this.broker.id() + ")";
	}

	/**
	 * Hand an attempt to the broker's connector unless one is under way.
	 * @param counted whether it is one of the cycle's reconnect attempts (the first one at startup is not)
	 */
	private void attempt(boolean counted) {
		synchronized (this.lock) {
			if (this.attempting || this.state == ConnectionState.STOPPED || this.state == ConnectionState.UP) {
				return;
			}
			this.attempting = true;
			this.scheduled = null;
			this.nextAttempt = null;
			if (counted) {
				this.attempts++;
			}
		}
		this.broker.connector().connect(new BrokerConnector.Callback() {

			@Override
			public void connected(Connection connection) {
				openChannel(connection);
			}

			@Override
			public void failed(RuntimeException failure) {
				attemptFailed(failure, null);
			}

		});
	}

	private void openChannel(Connection connection) {
		Channel opened = null;
		try {
			if (connection == this.lastConnection && this.backend.amqp().consumer().declare()) {
				// The connection survived what closed the channel (the queue was deleted, say), so
				// no new connection will make the admin declare the topology again: do it now.
				this.broker.admin().initialize();
			}
			this.lastConnection = connection;
			opened = connection.createChannel();
			if (opened == null) {
				throw new IOException("the broker allows no more channels on the connection");
			}
			if (!this.backend.amqp().consumer().declare()) {
				opened.queueDeclarePassive(queue());
			}
			synchronized (this.lock) {
				if (this.state == ConnectionState.STOPPED) {
					throw new IOException("the gateway is shutting down");
				}
				this.channel = opened;
			}
			Channel watched = opened;
			// Called at once when the channel is already closed.
			opened.addShutdownListener((signal) -> lost(watched, Failures.describe(signal)));
			open(opened);
			synchronized (this.lock) {
				this.attempting = false;
				if (this.channel != opened) {
					// Lost while opening: lost() left the rescheduling to this attempt.
					if (this.state != ConnectionState.STOPPED) {
						scheduleReconnect();
					}
					return;
				}
				this.state = ConnectionState.UP;
				this.execution = null;
				this.attempts = 0;
				this.lastError = null;
			}
			this.logger.info("Consuming: " + describe());
		}
		catch (Exception ex) {
			attemptFailed(ex, opened);
		}
		finally {
			this.firstAttempt.complete(null);
		}
	}

	private void attemptFailed(Exception failure, @Nullable Channel opened) {
		String reason = Failures.describe(failure);
		boolean stopped;
		boolean news;
		synchronized (this.lock) {
			this.attempting = false;
			if (opened != null && this.channel == opened) {
				this.channel = null;
			}
			stopped = this.state == ConnectionState.STOPPED;
			news = !reason.equals(this.lastError);
			if (!stopped) {
				this.lastError = reason;
				this.state = ConnectionState.RECONNECTING;
				scheduleReconnect();
				news |= this.state == ConnectionState.GAVE_UP;
			}
		}
		this.firstAttempt.complete(null);
		closeQuietly(opened);
		// One warning per new reason (and per cycle given up), not one a second through an outage.
		if (!stopped && news) {
			this.logger.warn("Cannot consume: " + describe() + ": " + reason + "; " + plan());
		}
		else if (!stopped && this.logger.isDebugEnabled()) {
			this.logger.debug("Still cannot consume: " + describe() + ": " + reason + "; " + plan());
		}
	}

	/**
	 * Called by the AMQP client when the channel closes (on its connection thread), or when the
	 * broker cancels the consumer: requests are answered and the reconnect is planned at once.
	 */
	final void lost(Channel lostChannel, String reason) {
		synchronized (this.lock) {
			if (lostChannel != this.channel || this.state == ConnectionState.STOPPED) {
				return;
			}
			this.channel = null;
			this.state = ConnectionState.RECONNECTING;
			this.lastError = reason;
			if (!this.attempting) {
				scheduleReconnect();
			}
		}
		this.logger.warn("Lost the broker: " + describe() + ": " + reason + "; " + plan());
		closed(reason);
		// Still open when only the consumer was cancelled; closing waits for the broker.
		this.broker.connector().execute(() -> closeQuietly(lostChannel));
	}

	/**
	 * Plan the next attempt of the cycle, or give the cycle up; called with the lock held.
	 */
	private void scheduleReconnect() {
		if (this.execution == null) {
			this.execution = this.backOff.start();
		}
		long wait = this.execution.nextBackOff();
		if (wait == BackOffExecution.STOP) {
			this.state = ConnectionState.GAVE_UP;
			this.nextAttempt = Instant.now().plus(this.giveUpPause);
			this.scheduled = this.scheduler.schedule(() -> newCycle("its pause is over"), this.nextAttempt);
			return;
		}
		this.nextAttempt = Instant.now().plusMillis(wait);
		this.scheduled = this.scheduler.schedule(() -> attempt(true), this.nextAttempt);
	}

	private void newCycle(String why) {
		synchronized (this.lock) {
			if (this.state != ConnectionState.GAVE_UP) {
				return;
			}
			cancelScheduled();
			this.execution = null;
			this.attempts = 0;
			this.state = ConnectionState.RECONNECTING;
			scheduleReconnect();
		}
		this.logger.info("Reconnecting again, since " + why + ": " + describe() + "; " + plan());
	}

	private String plan() {
		String next = status().nextStep();
		return (next != null) ? next : "reconnecting";
	}

	private void cancelScheduled() {
		if (this.scheduled != null) {
			this.scheduled.cancel(false);
			this.scheduled = null;
		}
	}

	private static void closeQuietly(@Nullable Channel channel) {
		if (channel == null || !channel.isOpen()) {
			return;
		}
		try {
			channel.close();
		}
		catch (Exception ex) {
			// Closed meanwhile, or the broker did not answer: either way the channel is gone.
		}
	}

}
