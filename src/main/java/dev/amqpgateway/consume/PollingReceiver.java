package dev.amqpgateway.consume;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A backend with {@code auto_ack: true}: each request polls the queue with {@code basic.get} in
 * auto-ack mode, so the broker forgets a message the moment it hands it over and the gateway never
 * acknowledges anything (at-most-once). Polls back off from 5 ms to 100 ms while the queue is empty.
 */
final class PollingReceiver extends ReconnectingReceiver {

	private static final Duration FIRST_POLL_DELAY = Duration.ofMillis(5);

	private static final Duration MAX_POLL_DELAY = Duration.ofMillis(100);

	private final AtomicInteger waiting = new AtomicInteger();

	PollingReceiver(ReceiverContext context) {
		super(context);
	}

	@Override
	Mono<Delivery> receive(Lease lease, Duration timeout) {
		if (!isUp()) {
			return Mono.error(unavailable());
		}
		return Mono.fromCallable(this::poll)
			.subscribeOn(Schedulers.boundedElastic())
			.repeatWhenEmpty((polls) -> polls.concatMap((poll) -> Mono.delay(delayAfter(poll))))
			.take(timeout)
			.doOnSubscribe((subscription) -> this.waiting.incrementAndGet())
			.doFinally((signal) -> this.waiting.decrementAndGet());
	}

	private @Nullable Delivery poll() {
		Channel channel = channel();
		if (channel == null) {
			throw unavailable();
		}
		try {
			GetResponse response = channel.basicGet(queue(), true);
			if (response == null) {
				return null;
			}
			return new Delivery(response.getBody(), response.getProps(), response.getEnvelope().isRedeliver(),
					Delivery.Settlement.NONE);
		}
		catch (IOException | ShutdownSignalException ex) {
			throw unavailable();
		}
	}

	private static Duration delayAfter(long emptyPolls) {
		long millis = FIRST_POLL_DELAY.toMillis() << Math.min(emptyPolls, 5);
		return Duration.ofMillis(Math.min(millis, MAX_POLL_DELAY.toMillis()));
	}

	@Override
	int waiting() {
		return this.waiting.get();
	}

	@Override
	int buffered() {
		return 0;
	}

	@Override
	void open(Channel channel) {
	}

	@Override
	void closed(String reason) {
	}

}
