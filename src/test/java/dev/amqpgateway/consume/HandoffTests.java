package dev.amqpgateway.consume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.amqpgateway.broker.BackendUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-off of deliveries to waiting requests, without a broker: buffering, FIFO among live
 * requests, timeouts and cancellation that withdraw a request, and closing.
 */
class HandoffTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final RuntimeException UNAVAILABLE = new BackendUnavailableException("broker down", null);

	private final Handoff handoff = new Handoff();

	private final AtomicBoolean up = new AtomicBoolean(true);

	private final AtomicInteger waitingStarted = new AtomicInteger();

	// Virtual time stands still unless a test advances it, so a request that should be answered at
	// once and waits instead would wait forever: this real-time bound turns that into a failure.
	@BeforeAll
	static void failInsteadOfHanging() {
		StepVerifier.setDefaultTimeout(Duration.ofSeconds(10));
	}

	@AfterAll
	static void resetTimeout() {
		StepVerifier.resetDefaultTimeout();
	}

	@Test
	void aBufferedDeliveryIsTakenAtOnce() {
		Delivery m1 = offer("m1");
		// Virtual time that never advances: the delivery comes without any wait.
		StepVerifier.withVirtualTime(() -> receive(new Lease())).expectNext(m1).verifyComplete();
		assertThat(this.handoff.buffered()).isZero();
		assertThat(this.waitingStarted).hasValue(0);
	}

	@Test
	void aWaitingRequestGetsADeliveryOfferedLater() {
		Delivery m1 = delivery("m1");
		StepVerifier.withVirtualTime(() -> receive(new Lease()))
			.expectSubscription()
			.expectNoEvent(Duration.ofSeconds(10))
			.then(() -> assertThat(this.handoff.waiting()).isOne())
			.then(() -> offer(m1))
			.expectNext(m1)
			.verifyComplete();
		assertThat(this.handoff.buffered()).isZero();
		assertThat(this.waitingStarted).hasValue(1);
	}

	@Test
	void aWaitingRequestIsWokenOnTheExecutorOfItsContext() {
		List<Runnable> home = new ArrayList<>();
		AtomicReference<Delivery> taken = new AtomicReference<>();
		receive(new Lease()).contextWrite(Context.of(ConsumerBackend.WAKE_ON, (Executor) home::add))
			.subscribe(taken::set);
		Delivery m1 = offer("m1");
		// taken, but not answered on the offering thread
		assertThat(taken).hasValue(null);
		assertThat(this.handoff.waiting()).isZero();
		assertThat(home).hasSize(1);
		home.get(0).run();
		assertThat(taken).hasValue(m1);
	}

	@Test
	void deliveriesGoToTheLongestWaitingRequestFirst() {
		StepVerifier
			.withVirtualTime(() -> Flux.merge(named("first", receive(new Lease())),
					Mono.delay(Duration.ofSeconds(1)).then(named("second", receive(new Lease())))))
			.expectSubscription()
			.thenAwait(Duration.ofSeconds(1))
			.then(() -> assertThat(this.handoff.waiting()).isEqualTo(2))
			.then(() -> offer("m1"))
			.expectNext("first took m1")
			.then(() -> offer("m2"))
			.expectNext("second took m2")
			.verifyComplete();
	}

	@Test
	void aRequestThatTimesOutCompletesEmptyAndALaterDeliveryIsBuffered() {
		Lease lease = new Lease();
		StepVerifier.withVirtualTime(() -> receive(lease))
			.expectSubscription()
			.expectNoEvent(TIMEOUT.minusSeconds(1))
			.thenAwait(Duration.ofSeconds(1))
			.verifyComplete();
		assertThat(this.handoff.waiting()).isZero();
		Delivery m1 = offer("m1");
		assertThat(this.handoff.buffered()).isOne();
		assertNotTakenBy(lease, m1);
	}

	@Test
	void aCancelledRequestIsWithdrawnAndTakesNothing() {
		Lease lease = new Lease();
		AtomicReference<Delivery> taken = new AtomicReference<>();
		Disposable request = receive(lease).subscribe(taken::set);
		assertThat(this.handoff.waiting()).isOne();
		request.dispose();
		assertThat(this.handoff.waiting()).isZero();
		Delivery m1 = offer("m1");
		assertThat(taken).hasNullValue();
		assertThat(this.handoff.buffered()).isOne();
		assertNotTakenBy(lease, m1);
	}

	@Test
	void aWaitingRequestWhoseLeaseIsClosedIsPassedOverForTheNextLiveOne() {
		Lease gone = new Lease();
		StepVerifier
			.withVirtualTime(() -> Flux.merge(named("gone", receive(gone)), named("live", receive(new Lease()))))
			.expectSubscription()
			// The request ended (its lease is closed) before its cancellation reached the hand-off.
			.then(gone::release)
			.then(() -> offer("m1"))
			.expectNext("live took m1")
			.thenCancel()
			.verify();
	}

	@Test
	void aDeliveryOfferedToAWaitingRequestWhoseLeaseIsClosedStaysBufferedForTheNext() {
		Lease gone = new Lease();
		Delivery m1 = delivery("m1");
		StepVerifier.withVirtualTime(() -> receive(gone))
			.expectSubscription()
			.then(gone::release)
			.then(() -> offer(m1))
			.expectNoEvent(Duration.ofSeconds(1))
			.thenCancel()
			.verify();
		assertThat(this.handoff.buffered()).isOne();
		StepVerifier.withVirtualTime(() -> receive(new Lease())).expectNext(m1).verifyComplete();
	}

	@Test
	void aRequestWhoseLeaseIsClosedLeavesABufferedDeliveryForTheNext() {
		Delivery m1 = offer("m1");
		Lease gone = new Lease();
		gone.release();
		StepVerifier.withVirtualTime(() -> receive(gone)).expectSubscription().thenAwait(TIMEOUT).verifyComplete();
		assertThat(this.handoff.buffered()).isOne();
		StepVerifier.withVirtualTime(() -> receive(new Lease())).expectNext(m1).verifyComplete();
	}

	@Test
	void aDeliveryFromASourceNoLongerCurrentIsDropped() {
		StepVerifier.withVirtualTime(() -> receive(new Lease()))
			.expectSubscription()
			.then(() -> this.handoff.offer(delivery("late"), () -> false))
			.then(() -> assertThat(this.handoff.buffered()).isZero())
			.thenAwait(TIMEOUT)
			.verifyComplete();
		assertThat(this.handoff.buffered()).isZero();
	}

	@Test
	void closeAnswersEveryWaitingRequestWithTheError() {
		RuntimeException lost = new BackendUnavailableException("connection lost", null);
		StepVerifier
			.withVirtualTime(() -> Flux.merge(receive(new Lease()).materialize(), receive(new Lease()).materialize()))
			.expectSubscription()
			.then(() -> this.handoff.close(lost, false))
			.assertNext((signal) -> assertThat(signal.getThrowable()).isSameAs(lost))
			.assertNext((signal) -> assertThat(signal.getThrowable()).isSameAs(lost))
			.verifyComplete();
		assertThat(this.handoff.waiting()).isZero();
	}

	@Test
	void closeDroppingTheBufferForgetsTheBufferedDeliveries() {
		offer("m1");
		offer("m2");
		this.handoff.close(UNAVAILABLE, true);
		assertThat(this.handoff.buffered()).isZero();
	}

	@Test
	void closeKeepingTheBufferLeavesTheDeliveriesForTheNextRequests() {
		Delivery m1 = offer("m1");
		Delivery m2 = offer("m2");
		this.handoff.close(UNAVAILABLE, false);
		assertThat(this.handoff.buffered()).isEqualTo(2);
		StepVerifier.withVirtualTime(() -> receive(new Lease())).expectNext(m1).verifyComplete();
		StepVerifier.withVirtualTime(() -> receive(new Lease())).expectNext(m2).verifyComplete();
	}

	@Test
	void aRequestWhileTheBackendIsDownGetsTheUnavailableErrorAtOnce() {
		offer("m1");
		this.up.set(false);
		StepVerifier.withVirtualTime(() -> receive(new Lease()))
			.expectErrorSatisfies((ex) -> assertThat(ex).isSameAs(UNAVAILABLE))
			.verify();
		assertThat(this.handoff.buffered()).isOne();
		assertThat(this.waitingStarted).hasValue(0);
	}

	@Test
	void aRequestSubscribedAfterTheBackendWentDownGetsTheUnavailableErrorAtOnce() {
		StepVerifier.withVirtualTime(() -> {
			Mono<Delivery> request = receive(new Lease());
			this.up.set(false);
			return request;
		}).expectErrorSatisfies((ex) -> assertThat(ex).isSameAs(UNAVAILABLE)).verify();
		assertThat(this.handoff.waiting()).isZero();
		assertThat(this.waitingStarted).hasValue(0);
	}

	@Test
	void deliveriesGivenBackGoInTheBufferByDeliveryTagNotAtItsBack() {
		Delivery m2 = offer(delivery("m2", 2));
		Delivery m5 = offer(delivery("m5", 5));
		Delivery m6 = offer(delivery("m6", 6));
		Delivery m1 = delivery("m1", 1);
		Delivery m3 = delivery("m3", 3);
		this.handoff.giveBack(List.of(m1, m3));
		assertThat(this.handoff.takeBuffered(new Lease(), 10)).containsExactly(m1, m2, m3, m5, m6);
	}

	@Test
	void deliveriesGivenBackGoToWaitingRequestsFirst() {
		Lease first = new Lease();
		Delivery m1 = delivery("m1", 1);
		Delivery m2 = delivery("m2", 2);
		StepVerifier.withVirtualTime(() -> receive(first))
			.then(() -> this.handoff.giveBack(List.of(m1, m2)))
			.expectNext(m1)
			.verifyComplete();
		assertThat(this.handoff.takeBuffered(new Lease(), 10)).containsExactly(m2);
	}

	private Mono<Delivery> receive(Lease lease) {
		return this.handoff.receive(lease, TIMEOUT, this.up::get, () -> UNAVAILABLE,
				this.waitingStarted::incrementAndGet);
	}

	private Delivery offer(String body) {
		return offer(delivery(body));
	}

	private Delivery offer(Delivery delivery) {
		this.handoff.offer(delivery, () -> true);
		return delivery;
	}

	private static Delivery delivery(String body) {
		return new Delivery(body.getBytes(StandardCharsets.UTF_8), new AMQP.BasicProperties(), new Envelope(1, false, "", ""),
				Delivery.Settlement.NONE);
	}

	private static Delivery delivery(String body, long tag) {
		return new Delivery(body.getBytes(StandardCharsets.UTF_8), new AMQP.BasicProperties(),
				new Envelope(tag, false, "", ""), Delivery.Settlement.NONE);
	}

	private static Mono<String> named(String request, Mono<Delivery> delivery) {
		return delivery.map((taken) -> request + " took " + new String(taken.body(), StandardCharsets.UTF_8));
	}

	// A lease that took the delivery would settle it when released.
	private static void assertNotTakenBy(Lease lease, Delivery delivery) {
		lease.release();
		assertThat(delivery.unsettled()).isTrue();
	}

}
