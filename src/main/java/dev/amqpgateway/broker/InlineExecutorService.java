package dev.amqpgateway.broker;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs consumer callbacks on the AMQP connection's own reader thread instead of handing each
 * batch of deliveries to a pool thread: the gateway's callbacks never block (a delivery is put in a
 * buffer or handed to a waiting request, a lost channel is handed to the reconnect scheduler), and
 * the hand-off's thread wake-up was a measurable part of the cost of every message.
 */
final class InlineExecutorService extends AbstractExecutorService {

	private volatile boolean shutdown;

	@Override
	public void execute(Runnable command) {
		command.run();
	}

	@Override
	public void shutdown() {
		this.shutdown = true;
	}

	@Override
	public List<Runnable> shutdownNow() {
		this.shutdown = true;
		return List.of();
	}

	@Override
	public boolean isShutdown() {
		return this.shutdown;
	}

	@Override
	public boolean isTerminated() {
		return this.shutdown;
	}

	@Override
	public boolean awaitTermination(long timeout, TimeUnit unit) {
		return true;
	}

}
