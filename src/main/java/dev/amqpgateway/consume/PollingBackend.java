package dev.amqpgateway.consume;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A backend with {@code auto_ack: true}: while requests wait, one poller per backend takes
 * messages with {@code basic.get} in auto-ack mode, so the broker forgets a message the moment it
 * hands it over and the gateway never acknowledges anything (at-most-once). However many requests
 * wait, the broker sees one poll at a time, backing off from 5 ms to 100 ms while the queue is
 * empty; nothing is polled while no request waits. A message whose request went away meanwhile
 * is kept for the next request.
 */
final class PollingBackend extends AbstractConsumerBackend {

	private static final Duration FIRST_POLL_DELAY = Duration.ofMillis(5);

	private static final Duration MAX_POLL_DELAY = Duration.ofMillis(100);

	private final AtomicBoolean polling = new AtomicBoolean();

	private final Scheduler pollScheduler = Schedulers.boundedElastic();

	private int emptyPolls;

	PollingBackend(BackendContext context) {
		super(context);
	}

	@Override
	void waitingStarted() {
		startPolling();
	}

	private void startPolling() {
		if (this.polling.compareAndSet(false, true)) {
			this.emptyPolls = 0;
			this.pollScheduler.schedule(this::poll);
		}
	}

	// One poll at a time, on a blocking-friendly thread: basic.get waits for the broker's answer.
	private void poll() {
		Channel channel = channel();
		if (channel == null || !this.handoff.hasWaiters()) {
			stopPolling();
			return;
		}
		GetResponse response;
		try {
			response = channel.basicGet(queue(), true);
		}
		catch (IOException | ShutdownSignalException ex) {
			// The channel's loss is handled by the backend, which answers the waiting requests.
			stopPolling();
			return;
		}
		if (response != null && refusedAsOversize(response.getBody(), Delivery.Settlement.NONE::reject)) {
			this.pollScheduler.schedule(this::poll);
		}
		else if (response != null) {
			this.emptyPolls = 0;
			this.handoff.offer(new Delivery(response.getBody(), response.getProps(), response.getEnvelope(),
					Delivery.Settlement.NONE), () -> true);
			this.pollScheduler.schedule(this::poll);
		}
		else {
			this.pollScheduler.schedule(this::poll, delayAfter(this.emptyPolls++).toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private void stopPolling() {
		this.polling.set(false);
		// A request may have started waiting between the last check and now.
		if (this.handoff.hasWaiters() && isUp()) {
			startPolling();
		}
	}

	private static Duration delayAfter(long emptyPolls) {
		long millis = FIRST_POLL_DELAY.toMillis() << Math.min(emptyPolls, 5);
		return Duration.ofMillis(Math.min(millis, MAX_POLL_DELAY.toMillis()));
	}

	@Override
	String settledAs() {
		return "dropped, since auto_ack made the broker forget it on delivery";
	}

	@Override
	public void opened(Channel channel) {
	}

	@Override
	public void lost(String reason) {
		// Messages taken already are the gateway's alone (the broker forgot them): keep them.
		this.handoff.close(unavailable(), false);
	}

}
