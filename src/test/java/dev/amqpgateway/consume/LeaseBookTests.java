package dev.amqpgateway.consume;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leases settle exactly once, whoever comes first: the client's acknowledgement or the expiry; and
 * whoever holds a lease is told once that it is over.
 */
class LeaseBookTests {

	@Test
	void anAcknowledgementRacingTheExpirySettlesTheMessageExactlyOnce() throws Exception {
		for (int round = 0; round < 2_000; round++) {
			LeaseBook book = new LeaseBook(Duration.ofMinutes(30));
			AtomicInteger acks = new AtomicInteger();
			AtomicInteger requeues = new AtomicInteger();
			Delivery delivery = delivery(round, acks, requeues);
			AtomicInteger over = new AtomicInteger();
			LeaseBook.Leased leased = book.hold(delivery, Duration.ofSeconds(1), over::incrementAndGet);
			CountDownLatch start = new CountDownLatch(1);
			String[] outcome = new String[1];
			Thread client = new Thread(() -> {
				await(start);
				outcome[0] = book.settle(leased.key(), LeaseBook.Settlement.ACK);
			});
			client.start();
			start.countDown();
			int expired = book.expire(leased.expires());
			client.join();
			assertThat(acks.get() + requeues.get()).isOne();
			assertThat(over.get()).isOne();
			assertThat(outcome[0]).isEqualTo((expired == 1) ? "gone" : "acked");
			assertThat(book.size()).isZero();
		}
	}

	@Test
	void anExtensionNeverPassesTheCapFromTheDelivery() {
		LeaseBook book = new LeaseBook(Duration.ofSeconds(10));
		Delivery delivery = delivery(1, new AtomicInteger(), new AtomicInteger());
		LeaseBook.Leased leased = book.hold(delivery, Duration.ofMinutes(5), () -> {
		});
		assertThat(leased.expires()).isBeforeOrEqualTo(delivery.receivedAt().plusSeconds(10));
		Instant extended = book.extend(leased.key(), Duration.ofHours(1));
		assertThat(extended).isNotNull().isBeforeOrEqualTo(delivery.receivedAt().plusSeconds(10));
	}

	@Test
	void aLostChannelTakesItsLeasesWithoutSettlingThem() {
		LeaseBook book = new LeaseBook(Duration.ofMinutes(30));
		AtomicInteger settled = new AtomicInteger();
		AtomicInteger over = new AtomicInteger();
		LeaseBook.Leased leased = book.hold(delivery(1, settled, settled), Duration.ofSeconds(30), over::incrementAndGet);
		book.channelLost(1);
		assertThat(book.settle(leased.key(), LeaseBook.Settlement.ACK)).isEqualTo("gone");
		assertThat(settled.get()).isZero();
		assertThat(over.get()).isOne();
	}

	private static Delivery delivery(long tag, AtomicInteger acks, AtomicInteger requeues) {
		return new Delivery(new byte[0], new AMQP.BasicProperties(), new Envelope(tag, false, "", ""), 1,
				new Delivery.Settlement() {

					@Override
					public void ack() {
						acks.incrementAndGet();
					}

					@Override
					public void requeue() {
						requeues.incrementAndGet();
					}

					@Override
					public void reject() {
						requeues.incrementAndGet();
					}

				});
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
