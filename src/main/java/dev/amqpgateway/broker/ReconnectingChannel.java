package dev.amqpgateway.broker;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.backoff.BackOffExecution;

/**
 * A channel to a broker kept open for one user: opened at startup, watched for loss, and reopened
 * in the background on a back-off strategy, cycle after cycle.
 *
 * <p>Connection attempts block, so they run on the broker's {@link BrokerConnector} thread; the
 * scheduler only keeps time. The channel is the client's own, not a cached Spring proxy, whose
 * methods would silently open a new channel behind a dead one. The state lock is held for
 * bookkeeping only, never across a call to the broker or to the user, so that a loss noticed on
 * the client's connection thread is acted on at once.
 *
 * <p>Spring AMQP keeps channels open only inside its listener containers, which own the consumer
 * and its acknowledgements; this class keeps just the channel, so that its user decides when a
 * message is settled.
 */
public final class ReconnectingChannel {

	private final Log logger;

	private final String description;

	private final Broker broker;

	private final ReconnectBackOff backOff;

	private final Duration giveUpPause;

	private final TaskScheduler scheduler;

	private final boolean declaresTopology;

	private final User user;

	/** Guards the connection state and the reconnect plan below, never held across a broker call. */
	private final Object stateLock = new Object();

	private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();

	private volatile ConnectionState state = ConnectionState.CONNECTING;

	private volatile @Nullable Channel channel;

	private volatile @Nullable String lastError;

	private volatile @Nullable Instant nextAttempt;

	private volatile int attempts;

	private boolean attempting;

	private volatile @Nullable Connection lastConnection;

	private @Nullable BackOffExecution execution;

	private @Nullable ScheduledFuture<?> scheduled;

	/**
	 * Create a channel that is not open yet; {@link #start()} opens it.
	 * @param settings the broker, the back-off and the timer the channel is kept with
	 * @param description who uses the channel, for the log, such as
	 * {@code endpoint /orders backend 0 (queue 'orders' on broker-0)}
	 * @param declaresTopology whether the user's topology is declared by the broker's admin, which
	 * then declares it again when a channel closes on a connection that survives
	 * @param user what is done with each channel opened, and told when it is lost
	 * @param logger where connects and losses are logged, the user's own
	 */
	public ReconnectingChannel(Settings settings, String description, boolean declaresTopology, User user,
			Log logger) {
		this.broker = settings.broker();
		this.backOff = settings.backOff();
		this.giveUpPause = settings.giveUpPause();
		this.scheduler = settings.scheduler();
		this.description = description;
		this.declaresTopology = declaresTopology;
		this.user = user;
		this.logger = logger;
	}

	/**
	 * Make the first connection attempt.
	 * @return completes once the first attempt has succeeded or failed
	 */
	public CompletableFuture<Void> start() {
		attempt(false);
		return this.firstAttempt;
	}

	/**
	 * Close the channel for good; the user is told it is lost.
	 */
	public void stop() {
		Channel current;
		synchronized (this.stateLock) {
			this.state = ConnectionState.STOPPED;
			cancelScheduled();
			this.nextAttempt = null;
			current = this.channel;
			this.channel = null;
		}
		this.firstAttempt.complete(null);
		closeQuietly(current);
		this.user.lost("the gateway is shutting down");
	}

	/**
	 * The channel in use now.
	 * @return the channel, or null while there is none
	 */
	public @Nullable Channel channel() {
		return this.channel;
	}

	/**
	 * Whether the channel is open and in use.
	 * @return true when connected
	 */
	public boolean isUp() {
		return this.state == ConnectionState.UP;
	}

	/**
	 * How the connection stands now.
	 * @return a snapshot
	 */
	public ChannelStatus status() {
		synchronized (this.stateLock) {
			return new ChannelStatus(this.state, this.lastError, this.attempts, this.nextAttempt);
		}
	}

	/**
	 * Start a new reconnect cycle at once if the last one gave up, since someone needs the channel.
	 * @param why for the log, such as {@code a request asked for it}
	 */
	public void wanted(String why) {
		if (this.state == ConnectionState.GAVE_UP) {
			newCycle(why);
		}
	}

	/**
	 * Called by the AMQP client when the channel closes (on its connection thread), or by the user
	 * when the broker cancels its consumer: the user is told and the reconnect is planned at once.
	 * @param lostChannel the channel that is gone; nothing happens unless it is the current one
	 * @param reason why it is gone, without credentials
	 */
	public void lost(Channel lostChannel, String reason) {
		synchronized (this.stateLock) {
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
		this.logger.warn("Lost the broker: " + this.description + ": " + reason + "; " + plan());
		this.user.lost(reason);
		// Still open when only the consumer was cancelled; closing waits for the broker.
		this.broker.connector().execute(() -> closeQuietly(lostChannel));
	}

	/**
	 * Hand an attempt to the broker's connector unless one is under way.
	 * @param counted whether it is one of the cycle's reconnect attempts (the first one at startup is not)
	 */
	private void attempt(boolean counted) {
		synchronized (this.stateLock) {
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
			if (connection == this.lastConnection && this.declaresTopology) {
				// The connection survived what closed the channel (the queue was deleted, say), so
				// no new connection will make the admin declare the topology again: do it now.
				this.broker.admin().initialize();
			}
			this.lastConnection = connection;
			opened = connection.createChannel();
			if (opened == null) {
				throw new IOException("the broker allows no more channels on the connection");
			}
			this.user.check(opened);
			synchronized (this.stateLock) {
				if (this.state == ConnectionState.STOPPED) {
					throw new IOException("the gateway is shutting down");
				}
				this.channel = opened;
			}
			Channel watched = opened;
			// Called at once when the channel is already closed.
			opened.addShutdownListener((signal) -> lost(watched, Failures.describe(signal)));
			this.user.opened(opened);
			synchronized (this.stateLock) {
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
			this.logger.info(this.user.working() + ": " + this.description);
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
		synchronized (this.stateLock) {
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
			this.logger.warn(this.user.failing() + ": " + this.description + ": " + reason + "; " + plan());
		}
		else if (!stopped && this.logger.isDebugEnabled()) {
			this.logger.debug("Still " + this.user.failing().toLowerCase() + ": " + this.description + ": " + reason
					+ "; " + plan());
		}
	}

	/**
	 * Plan the next attempt of the cycle, or give the cycle up; called with the state lock held.
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
		synchronized (this.stateLock) {
			if (this.state != ConnectionState.GAVE_UP) {
				return;
			}
			cancelScheduled();
			this.execution = null;
			this.attempts = 0;
			this.state = ConnectionState.RECONNECTING;
			scheduleReconnect();
		}
		this.logger.info("Reconnecting again, since " + why + ": " + this.description + "; " + plan());
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

	/**
	 * What a kept channel is built from, shared by every channel of a role.
	 *
	 * @param broker the broker to connect to
	 * @param backOff the waits between reconnect attempts
	 * @param giveUpPause how long a cycle that gave up rests before the next one starts on its own
	 * @param scheduler where reconnect attempts are timed
	 */
	public record Settings(Broker broker, ReconnectBackOff backOff, Duration giveUpPause, TaskScheduler scheduler) {
	}

	/**
	 * What the user of a kept channel does with it.
	 */
	public interface User {

		/**
		 * Check a freshly opened channel before it is used, such as that a queue exists.
		 * @param channel the channel, not watched for loss yet
		 * @throws IOException when the broker refuses; the attempt fails
		 */
		default void check(Channel channel) throws IOException {
		}

		/**
		 * Start using a freshly opened channel (consume from it, for example).
		 * @param channel the channel, watched for loss
		 * @throws IOException when the broker refuses; the attempt fails
		 */
		void opened(Channel channel) throws IOException;

		/**
		 * Forget everything tied to the channel that is gone.
		 * @param reason why it is gone
		 */
		void lost(String reason);

		/**
		 * What the log says once the channel is in use, such as {@code Consuming}.
		 * @return a word or two
		 */
		String working();

		/**
		 * What the log says when an attempt fails, such as {@code Cannot consume}.
		 * @return a few words
		 */
		String failing();

	}

}
