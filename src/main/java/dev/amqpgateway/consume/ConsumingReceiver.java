package dev.amqpgateway.consume;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.amqpgateway.config.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A backend with manual acknowledgements ({@code auto_ack: false}): one consumer whose deliveries
 * go straight to waiting requests, or wait for the next request in a buffer bounded by the
 * prefetch count. A request takes a delivery only while it is alive; what it took and did not
 * write is requeued by its {@link Lease}.
 */
final class ConsumingReceiver extends ReconnectingReceiver {

	private final Acker acker;

	private final int prefetch;

	private final Object lock = new Object();

	private final ArrayDeque<Delivery> buffer = new ArrayDeque<>();

	private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

	ConsumingReceiver(ReceiverContext context) {
		super(context);
		this.acker = context.acker();
		this.prefetch = context.prefetch();
	}

	@Override
	Mono<Delivery> receive(Lease lease, Duration timeout) {
		Delivery delivery;
		synchronized (this.lock) {
			// Checked under the lock closed() takes once the channel is lost: a request is either
			// refused here or waits where closed() will answer it.
			if (!isUp()) {
				delivery = null;
			}
			else {
				delivery = takeBuffered(lease);
				if (delivery != null) {
					// The common case under load: no waiter, no timer, no thread hop.
					return Mono.just(delivery);
				}
			}
		}
		if (!isUp()) {
			return Mono.error(unavailable());
		}
		return Mono.<Delivery>create((sink) -> {
			Waiter waiter = new Waiter(sink, lease);
			sink.onCancel(() -> withdraw(waiter));
			Delivery arrived;
			synchronized (this.lock) {
				if (!isUp()) {
					arrived = null;
				}
				else {
					arrived = takeBuffered(lease);
					if (arrived == null) {
						this.waiters.add(waiter);
						return;
					}
				}
			}
			if (arrived == null) {
				sink.error(unavailable());
				return;
			}
			sink.success(arrived);
		}).take(timeout);
	}

	// Under the lock.
	private @Nullable Delivery takeBuffered(Lease lease) {
		Delivery delivery = this.buffer.peek();
		if (delivery == null || !lease.take(delivery)) {
			return null;
		}
		return this.buffer.poll();
	}

	@Override
	int waiting() {
		synchronized (this.lock) {
			return this.waiters.size();
		}
	}

	@Override
	int buffered() {
		synchronized (this.lock) {
			return this.buffer.size();
		}
	}

	@Override
	void open(Channel channel) throws IOException {
		Consumer consumer = backend().amqp().consumer();
		channel.basicQos(this.prefetch);
		channel.basicConsume(queue(), false, "", consumer.noLocal(), false, null, new GatewayConsumer(channel));
	}

	@Override
	void closed(String reason) {
		List<Waiter> stranded;
		synchronized (this.lock) {
			// Buffered deliveries died with their channel; the broker has requeued them.
			this.buffer.clear();
			stranded = new ArrayList<>(this.waiters);
			this.waiters.clear();
		}
		stranded.forEach((waiter) -> waiter.sink.error(unavailable()));
	}

	private void deliver(Channel from, Delivery delivery) {
		Waiter waiter;
		synchronized (this.lock) {
			if (from != channel()) {
				// A late delivery of a lost channel, which the broker requeues: no request may take it.
				return;
			}
			while ((waiter = this.waiters.poll()) != null) {
				if (waiter.lease.take(delivery)) {
					break;
				}
			}
			if (waiter == null) {
				this.buffer.add(delivery);
				return;
			}
		}
		waiter.sink.success(delivery);
	}

	private void withdraw(Waiter waiter) {
		synchronized (this.lock) {
			this.waiters.remove(waiter);
		}
	}

	private record Waiter(MonoSink<Delivery> sink, Lease lease) {
	}

	private final class GatewayConsumer extends DefaultConsumer {

		GatewayConsumer(Channel channel) {
			super(channel);
		}

		@Override
		public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
				byte[] body) {
			Delivery.Settlement settlement = ConsumingReceiver.this.acker.settlementOf(getChannel(),
					envelope.getDeliveryTag(), ConsumingReceiver.this.metrics);
			deliver(getChannel(), new Delivery(body, properties, envelope.isRedeliver(), settlement));
		}

		@Override
		public void handleCancel(String consumerTag) {
			lost(getChannel(), "the broker cancelled the consumer (queue deleted?)");
		}

	}

}
