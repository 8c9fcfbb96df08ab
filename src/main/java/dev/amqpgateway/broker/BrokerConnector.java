package dev.amqpgateway.broker;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.Connection;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Opens one broker's connection for its backends, on a thread of the broker's own, so that a
 * broker that is slow to refuse (a black hole takes the whole connection timeout) never holds up
 * another broker or the reconnect timers; backends that ask while an attempt fails share its
 * failure rather than each waiting out the same timeout in turn.
 */
public final class BrokerConnector {

	private final CachingConnectionFactory connectionFactory;

	private final ThreadPoolExecutor executor;

	private final AtomicLong finishedAttempts = new AtomicLong();

	private volatile @Nullable Failure lastFailure;

	private volatile org.springframework.amqp.rabbit.connection.@Nullable Connection connection;

	BrokerConnector(String brokerId, CachingConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("gateway-connect-" + brokerId + "-");
		threads.setDaemon(true);
		// Once the gateway shuts down, late reconnects and channel closes are simply dropped.
		this.executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads,
				new ThreadPoolExecutor.DiscardPolicy());
		this.executor.allowCoreThreadTimeOut(true);
	}

	/**
	 * Get the broker's connection, opening it if needed, and hand it to the callback on this
	 * broker's connector thread, where the callback may block (open a channel, consume).
	 * @param callback told of the connection or of why there is none
	 */
	public void connect(Callback callback) {
		long asked = this.finishedAttempts.get();
		this.executor.execute(() -> {
			Connection connection;
			try {
				connection = open(asked);
			}
			catch (RuntimeException ex) {
				callback.failed(ex);
				return;
			}
			callback.connected(connection);
		});
	}

	/**
	 * Run a task on this broker's connector thread, after the attempts asked for before it.
	 * @param task the task, which may block on the broker
	 */
	public void execute(Runnable task) {
		this.executor.execute(task);
	}

	private Connection open(long asked) {
		Failure failure = this.lastFailure;
		if (failure != null && failure.attempt() > asked && !isOpen()) {
			// An attempt that ended after this one was asked for has just failed: share its answer.
			throw failure.exception();
		}
		try {
			org.springframework.amqp.rabbit.connection.Connection opened = this.connectionFactory.createConnection();
			this.connection = opened;
			this.lastFailure = null;
			this.finishedAttempts.incrementAndGet();
			return opened.getDelegate();
		}
		catch (RuntimeException ex) {
			this.lastFailure = new Failure(this.finishedAttempts.incrementAndGet(), ex);
			throw ex;
		}
	}

	private boolean isOpen() {
		org.springframework.amqp.rabbit.connection.Connection current = this.connection;
		return current != null && current.isOpen();
	}

	void shutdown() {
		this.executor.shutdownNow();
	}

	/**
	 * Told of the outcome of {@link #connect(Callback)}, on the broker's connector thread.
	 */
	public interface Callback {

		/**
		 * The broker's connection is open.
		 * @param connection the open connection, shared by every backend of the broker
		 */
		void connected(Connection connection);

		/**
		 * The broker could not be reached.
		 * @param failure why
		 */
		void failed(RuntimeException failure);

	}

	private record Failure(long attempt, RuntimeException exception) {
	}

}
