package dev.amqpgateway.consume;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

import com.rabbitmq.client.Channel;
import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.Failures;
import dev.amqpgateway.broker.ReconnectBackOff;
import dev.amqpgateway.config.Backend;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.amqp.rabbit.connection.RabbitUtils;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.backoff.BackOffExecution;

/**
 * A backend's channel to its broker, kept open: opened at startup, watched for loss, and reopened
 * in the background on the backend's back-off strategy (SPEC §5).
 *
 * <p>Every state change runs under one lock on the scheduler's threads (or the starting thread),
 * never on the AMQP client's connection thread, which the broker's replies need.
 */
abstract class ReconnectingReceiver implements ConsumerBackend {

	protected final Log logger = LogFactory.getLog(getClass());

	private final BackendKey key;

	private final Backend backend;

	private final Broker broker;

	private final ReconnectBackOff backOff;

	private final Duration giveUpPause;

	private final TaskScheduler scheduler;

	protected final BackendMetrics metrics;

	private final Object connectLock = new Object();

	private volatile ConnectionState state = ConnectionState.CONNECTING;

	private volatile @Nullable Channel channel;

	private volatile @Nullable String lastError;

	private volatile @Nullable Instant nextAttempt;

	private volatile int attempts;

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
	}

	/**
	 * Take the next message for a request.
	 * @param lease the deliveries of the request, which takes ownership of the message
	 * @return the delivery, an error when the backend is unavailable; never completes empty on its own
	 */
	abstract Mono<Delivery> receive(Lease lease);

	/**
	 * Requests waiting for a message of this backend now.
	 * @return the number of waiting requests
	 */
	abstract int waiting();

	/**
	 * Messages received and held for the next request, unacknowledged.
	 * @return the number of buffered messages
	 */
	abstract int buffered();

	/**
	 * Start using a freshly opened channel (consume from it, for example).
	 * @param channel the channel, already checked for the queue when nothing is declared
	 * @throws IOException when the broker refuses
	 */
	abstract void open(Channel channel) throws IOException;

	/**
	 * Forget everything tied to a channel that is gone.
	 * @param reason why it is gone
	 */
	abstract void closed(String reason);

	void start() {
		connect();
	}

	void stop() {
		Channel current;
		synchronized (this.connectLock) {
			this.state = ConnectionState.STOPPED;
			if (this.scheduled != null) {
				this.scheduled.cancel(false);
			}
			current = this.channel;
			this.channel = null;
		}
		closePhysically(current);
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
		return new BackendStatus(this.state, this.lastError, this.attempts, this.nextAttempt);
	}

	/**
	 * The exception a request gets while this backend cannot serve, waking a cycle that gave up.
	 * @return the exception to answer with
	 */
	BackendUnavailableException unavailable() {
		if (this.state == ConnectionState.GAVE_UP) {
			this.scheduler.schedule(this::newCycle, Instant.now());
		}
		String reason = (this.lastError != null) ? this.lastError : this.state.name().toLowerCase();
		return new BackendUnavailableException("Queue '" + queue() + "' on " + this.broker.display()
				+ " is unavailable: " + reason, this.nextAttempt);
	}

	@Nullable Channel channel() {
		return this.channel;
	}

	boolean isUp() {
		return this.state == ConnectionState.UP;
	}

	String describe() {
		return "endpoint " + endpoint() + " backend " + index() + " (queue '" + queue() + "' on " + this.broker.id() + ")";
	}

	private void connect() {
		synchronized (this.connectLock) {
			this.scheduled = null;
			this.nextAttempt = null;
			if (this.state == ConnectionState.STOPPED) {
				return;
			}
			Channel opened = null;
			try {
				// A raw channel, outside the factory's channel cache: a cached proxy can be given a fresh
				// target after a reconnect, and a late ack through it would hit the wrong channel.
				opened = this.broker.connectionFactory().createConnection().getDelegate().createChannel();
				if (opened == null) {
					throw new IOException("The broker has no channel left on this connection");
				}
				if (!this.backend.amqp().consumer().declare()) {
					opened.queueDeclarePassive(queue());
				}
				else if (this.broker.admin().getQueueInfo(queue()) == null) {
					// Deleted while the connection stayed open, so the admin's declare-on-connect never
					// ran: declare again, as Spring's listener containers do for a missing queue.
					this.broker.admin().initialize();
				}
				this.channel = opened;
				Channel watched = opened;
				opened.addShutdownListener((signal) -> lost(watched, Failures.describe(signal)));
				open(opened);
				this.state = ConnectionState.UP;
				this.execution = null;
				this.attempts = 0;
				this.lastError = null;
				this.logger.info("Consuming: " + describe());
			}
			catch (Exception ex) {
				this.channel = null;
				closePhysically(opened);
				this.lastError = Failures.describe(ex);
				if (this.state != ConnectionState.CONNECTING) {
					this.state = ConnectionState.RECONNECTING;
				}
				this.logger.warn("Cannot consume: " + describe() + ": " + this.lastError);
				scheduleReconnect();
			}
		}
	}

	/**
	 * Called by the AMQP client, on its connection thread, when a channel closes: hand over to
	 * the scheduler at once, since the state lock may be held by a connect waiting on that thread.
	 */
	final void lost(Channel lostChannel, String reason) {
		if (lostChannel != this.channel) {
			return;
		}
		this.scheduler.schedule(() -> {
			synchronized (this.connectLock) {
				if (lostChannel != this.channel || this.state == ConnectionState.STOPPED) {
					return;
				}
				this.channel = null;
				this.state = ConnectionState.RECONNECTING;
				this.lastError = reason;
				this.logger.warn("Lost the broker: " + describe() + ": " + reason + "; reconnecting");
				closePhysically(lostChannel);
				closed(reason);
				scheduleReconnect();
			}
		}, Instant.now());
	}

	private void scheduleReconnect() {
		if (this.execution == null) {
			this.execution = this.backOff.start();
		}
		long wait = this.execution.nextBackOff();
		if (wait == BackOffExecution.STOP) {
			this.state = ConnectionState.GAVE_UP;
			this.nextAttempt = Instant.now().plus(this.giveUpPause);
			this.logger.warn("Gave up reconnecting after " + this.attempts + " attempts: " + describe()
					+ "; next cycle at " + this.nextAttempt + " or on the next request");
			this.scheduled = this.scheduler.schedule(this::newCycle, this.nextAttempt);
			return;
		}
		this.attempts++;
		this.nextAttempt = Instant.now().plusMillis(wait);
		this.scheduled = this.scheduler.schedule(this::connect, this.nextAttempt);
	}

	private void newCycle() {
		synchronized (this.connectLock) {
			if (this.state != ConnectionState.GAVE_UP) {
				return;
			}
			if (this.scheduled != null) {
				this.scheduled.cancel(false);
			}
			this.execution = null;
			this.attempts = 0;
			this.state = ConnectionState.RECONNECTING;
			connect();
		}
	}

	private static void closePhysically(@Nullable Channel channel) {
		if (channel != null && channel.isOpen()) {
			RabbitUtils.closeChannel(channel);
		}
	}

}
