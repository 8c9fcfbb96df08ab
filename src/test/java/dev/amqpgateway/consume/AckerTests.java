package dev.amqpgateway.consume;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import com.rabbitmq.client.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The order and shape of the acker's frames, recorded on a channel without a broker: coalesced
 * acks, held acks sent one by one, requeues at once, each tag settled once, and for a replaced
 * channel its held acks and late settlements alone while it is open, nothing once it is closed.
 */
class AckerTests {

	/** A listener for tests that do not count settlements. */
	static final Acker.SettlementListener IGNORED = new Acker.SettlementListener() {

		@Override
		public void acked() {
		}

		@Override
		public void requeued() {
		}

		@Override
		public void rejected() {
		}

	};

	private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();

	private final Acker acker = new Acker(this.sender);

	private final RecordingChannel channel = new RecordingChannel();

	@AfterEach
	void stopSender() {
		this.sender.shutdownNow();
	}

	@Test
	void acksSettledInOrderCoalesceIntoOneMultipleAck() throws Exception {
		this.acker.adopt(this.channel.proxy);
		List<String> sent = sentByFirstDrain(() -> {
			for (long tag = 1; tag <= 4; tag++) {
				settlement(this.channel, tag).ack();
			}
		});
		assertThat(sent).containsExactly("basicAck(4, true)");
		awaitIdle();
		assertThat(this.channel.calls).containsExactly("basicAck(4, true)");
	}

	@Test
	void anAckAboveADeliveryInFlightIsHeldThenSentAloneWhileTheLowerIsStillInFlight() throws Exception {
		this.acker.adopt(this.channel.proxy);
		List<String> sent = sentByFirstDrain(() -> {
			settlement(this.channel, 2).ack();
			settlement(this.channel, 3).ack();
		});
		assertThat(sent).isEmpty();
		// Delivery 1 is still with its request: after the hold, 2 and 3 go out on their own.
		await().untilAsserted(
				() -> assertThat(this.channel.calls).containsExactly("basicAck(2, false)", "basicAck(3, false)"));
		settlement(this.channel, 1).ack();
		await().until(() -> this.channel.calls.size() == 3);
		awaitIdle();
		assertThat(this.channel.calls).containsExactly("basicAck(2, false)", "basicAck(3, false)",
				"basicAck(1, true)");
	}

	@Test
	void anAckHeldAfterTheHoldStartedWaitsForTheNextHold() throws Exception {
		this.acker.adopt(this.channel.proxy);
		// The moment 2 goes out alone, 1 is acked: 3, held since after the hold started, is not
		// sent alone with 2 but covered by the multiple ack.
		this.channel.onCall = (call) -> {
			if (call.equals("basicAck(2, false)")) {
				settlement(this.channel, 1).ack();
			}
		};
		assertThat(sentByFirstDrain(() -> settlement(this.channel, 2).ack())).isEmpty();
		settlement(this.channel, 3).ack();
		await().until(() -> this.channel.calls.size() >= 2);
		awaitIdle();
		assertThat(this.channel.calls).containsExactly("basicAck(2, false)", "basicAck(3, true)");
	}

	@Test
	void aRequeueGoesOutAtOnceWithoutWaitingForLowerTags() throws Exception {
		this.acker.adopt(this.channel.proxy);
		List<String> sent = sentByFirstDrain(() -> settlement(this.channel, 2).requeue());
		assertThat(sent).containsExactly("basicNack(2, false, true)");
		// The ack of 1 must not cover 2 a second time.
		settlement(this.channel, 1).ack();
		await().until(() -> this.channel.calls.size() == 2);
		awaitIdle();
		assertThat(this.channel.calls).containsExactly("basicNack(2, false, true)", "basicAck(1, true)");
	}

	@Test
	void aRejectGoesOutAtOnceWithoutRequeue() throws Exception {
		this.acker.adopt(this.channel.proxy);
		List<String> sent = sentByFirstDrain(() -> settlement(this.channel, 2).reject());
		assertThat(sent).containsExactly("basicReject(2, false)");
	}

	@Test
	void settlingTheSameTagTwiceSendsOnce() throws Exception {
		this.acker.adopt(this.channel.proxy);
		List<String> sent = sentByFirstDrain(() -> {
			settlement(this.channel, 2).requeue();
			settlement(this.channel, 2).requeue();
			settlement(this.channel, 2).ack();
		});
		assertThat(sent).containsExactly("basicNack(2, false, true)");
		settlement(this.channel, 1).ack();
		await().until(() -> this.channel.calls.size() == 2);
		settlement(this.channel, 1).ack();
		settlement(this.channel, 2).ack();
		awaitIdle();
		assertThat(this.channel.calls).containsExactly("basicNack(2, false, true)", "basicAck(1, true)");
	}

	@Test
	void aSettlementOfAClosedReplacedChannelSendsNothing() throws Exception {
		RecordingChannel lost = this.channel;
		RecordingChannel replacement = new RecordingChannel();
		this.acker.adopt(lost.proxy);
		settlement(lost, 1).ack();
		awaitIdle();
		// The ack of 3 is held for 2 when the channel closes and its successor is adopted.
		List<String> sent = sentByFirstDrain(() -> {
			settlement(lost, 3).ack();
			lost.open = false;
			this.acker.adopt(replacement.proxy);
		});
		assertThat(sent).containsExactly("basicAck(1, true)");
		settlement(replacement, 1).ack();
		await().until(() -> replacement.calls.size() == 1);
		// Delivery 2 of the lost channel: its request ended after the channel was replaced.
		settlement(lost, 2).requeue();
		settlement(lost, 4).ack();
		awaitIdle();
		assertThat(lost.calls).containsExactly("basicAck(1, true)");
		assertThat(replacement.calls).containsExactly("basicAck(1, true)");
	}

	@Test
	void aLateSettlementOfAReplacedChannelNeverResetsTheCurrentOne() throws Exception {
		RecordingChannel lost = new RecordingChannel();
		RecordingChannel replacement = this.channel;
		this.acker.adopt(lost.proxy);
		settlement(lost, 1).ack();
		awaitIdle();
		// The broker only cancelled the consumer: the lost channel stays open while its successor
		// takes over.
		this.acker.adopt(replacement.proxy);
		settlement(replacement, 2).ack();
		awaitIdle();
		List<String> sent = sentByFirstDrain(() -> {
			settlement(replacement, 3).ack();
			settlement(lost, 2).requeue();
		});
		// 3 is held for 1, which is still in flight; the lost channel's 2 goes out on its own.
		assertThat(sent).containsExactly("basicAck(2, false)");
		assertThat(lost.calls).containsExactly("basicAck(1, true)", "basicNack(2, false, true)");
		awaitIdle();
		settlement(replacement, 1).ack();
		awaitIdle();
		assertThat(replacement.calls).containsExactly("basicAck(2, false)", "basicAck(3, false)",
				"basicAck(1, true)");
		assertThat(lost.calls).containsExactly("basicAck(1, true)", "basicNack(2, false, true)");
	}

	@Test
	void aSettlementOfTheOldChannelAfterTheNewOnesFirstNeverStallsTheNewChannel() throws Exception {
		RecordingChannel old = new RecordingChannel();
		RecordingChannel current = this.channel;
		// The old channel settled nothing yet when the new one is opened and settles its first.
		this.acker.adopt(old.proxy);
		this.acker.adopt(current.proxy);
		settlement(current, 1).ack();
		awaitIdle();
		settlement(old, 1).ack();
		awaitIdle();
		settlement(current, 2).ack();
		settlement(current, 3).ack();
		awaitIdle();
		assertThat(current.calls).containsExactly("basicAck(1, true)", "basicAck(3, true)");
		assertThat(old.calls).containsExactly("basicAck(1, false)");
	}

	@Test
	void heldAcksOfTheOldChannelAreSentWhenANewOneIsAdopted() throws Exception {
		RecordingChannel old = this.channel;
		RecordingChannel current = new RecordingChannel();
		this.acker.adopt(old.proxy);
		awaitIdle();
		// 2 and 3 wait for 1, which is still in flight, when the new channel is adopted: they must
		// not wait for the hold, nor be forgotten with the old channel's state.
		List<String> sent = sentByFirstDrain(() -> {
			settlement(old, 2).ack();
			settlement(old, 3).ack();
			this.acker.adopt(current.proxy);
		});
		assertThat(sent).containsExactly("basicAck(2, false)", "basicAck(3, false)");
		settlement(old, 1).ack();
		settlement(current, 1).ack();
		awaitIdle();
		assertThat(old.calls).containsExactly("basicAck(2, false)", "basicAck(3, false)", "basicAck(1, false)");
		assertThat(current.calls).containsExactly("basicAck(1, true)");
	}

	private Delivery.Settlement settlement(RecordingChannel channel, long tag) {
		return this.acker.settlementOf(channel.proxy, tag, IGNORED);
	}

	/**
	 * Run settlements, and answer what the sender sent by the end of the drain they cause, before
	 * any hold has passed. The sender is blocked while they are submitted, so that one drain sees
	 * them all; the probe is scheduled after that drain and before any flush it schedules (the flush
	 * comes a hold after the drain starts, the probe a few batches after the settlements).
	 */
	private List<String> sentByFirstDrain(Runnable settlements) throws Exception {
		CountDownLatch gate = new CountDownLatch(1);
		this.sender.execute(() -> awaitQuietly(gate));
		settlements.run();
		ScheduledFuture<List<String>> probe = this.sender.schedule(() -> List.copyOf(this.channel.calls),
				Acker.BATCH.multipliedBy(2).toNanos(), TimeUnit.NANOSECONDS);
		gate.countDown();
		return probe.get(30, TimeUnit.SECONDS);
	}

	/**
	 * Wait until the sender has run everything the acker scheduled, and what that scheduled in turn
	 * (a drain, the flush it schedules, the drain the flush schedules): each marker runs after every
	 * task scheduled before it with a shorter delay.
	 */
	private void awaitIdle() throws Exception {
		for (int i = 0; i < 3; i++) {
			this.sender.schedule(() -> {
			}, Acker.HOLD.multipliedBy(2).toNanos(), TimeUnit.NANOSECONDS).get(30, TimeUnit.SECONDS);
		}
	}

	private static void awaitQuietly(CountDownLatch gate) {
		try {
			gate.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * A channel that records the acks, nacks and rejects sent on it, in order.
	 */
	private static final class RecordingChannel implements InvocationHandler {

		private final List<String> calls = new CopyOnWriteArrayList<>();

		private final Channel proxy = (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(),
				new Class<?>[] { Channel.class }, this);

		private volatile boolean open = true;

		/** Told of each call once it is recorded, on the sender's thread. */
		private volatile Consumer<String> onCall = (call) -> {
		};

		@Override
		public Object invoke(Object proxy, Method method, Object[] args) {
			return switch (method.getName()) {
				case "basicAck", "basicNack", "basicReject" -> {
					String call = method.getName() + "("
							+ Arrays.stream(args).map(String::valueOf).collect(Collectors.joining(", ")) + ")";
					this.calls.add(call);
					this.onCall.accept(call);
					yield null;
				}
				case "isOpen" -> this.open;
				case "hashCode" -> System.identityHashCode(proxy);
				case "equals" -> proxy == args[0];
				case "toString" -> "RecordingChannel";
				default -> throw new UnsupportedOperationException(method.getName());
			};
		}

	}

}
