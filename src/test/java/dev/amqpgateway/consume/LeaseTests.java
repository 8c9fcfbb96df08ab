package dev.amqpgateway.consume;

import java.util.ArrayList;
import java.util.List;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Settlement of the deliveries a request took: acked when written, requeued otherwise, each exactly
 * once, and nothing taken after the lease is closed.
 */
class LeaseTests {

	private final Lease lease = new Lease();

	@Test
	void completeAcksTheWrittenDeliveriesAndRequeuesTheOthers() {
		RecordingSettlement written = new RecordingSettlement();
		RecordingSettlement notWritten = new RecordingSettlement();
		Delivery m1 = taken(written);
		taken(notWritten);
		this.lease.complete(List.of(m1));
		assertThat(written.events).containsExactly("ack");
		assertThat(notWritten.events).containsExactly("requeue");
	}

	@Test
	void releaseRequeuesEveryDeliveryTaken() {
		RecordingSettlement first = new RecordingSettlement();
		RecordingSettlement second = new RecordingSettlement();
		taken(first);
		taken(second);
		this.lease.release();
		assertThat(first.events).containsExactly("requeue");
		assertThat(second.events).containsExactly("requeue");
	}

	@Test
	void aCompletedLeaseTakesNothing() {
		this.lease.complete(List.of());
		RecordingSettlement refused = new RecordingSettlement();
		assertThat(this.lease.take(delivery(refused))).isFalse();
		// The refused delivery goes elsewhere: this lease never settles it.
		this.lease.release();
		assertThat(refused.events).isEmpty();
	}

	@Test
	void aReleasedLeaseTakesNothing() {
		this.lease.release();
		RecordingSettlement refused = new RecordingSettlement();
		assertThat(this.lease.take(delivery(refused))).isFalse();
		this.lease.complete(List.of());
		assertThat(refused.events).isEmpty();
	}

	@Test
	void completeAfterReleaseSettlesNothingAgain() {
		RecordingSettlement written = new RecordingSettlement();
		RecordingSettlement notWritten = new RecordingSettlement();
		Delivery m1 = taken(written);
		taken(notWritten);
		// The client left (release) while the response was being completed.
		this.lease.release();
		this.lease.complete(List.of(m1));
		assertThat(written.events).containsExactly("requeue");
		assertThat(notWritten.events).containsExactly("requeue");
	}

	@Test
	void releaseAfterCompleteSettlesNothingAgain() {
		RecordingSettlement written = new RecordingSettlement();
		RecordingSettlement notWritten = new RecordingSettlement();
		Delivery m1 = taken(written);
		taken(notWritten);
		this.lease.complete(List.of(m1));
		this.lease.release();
		assertThat(written.events).containsExactly("ack");
		assertThat(notWritten.events).containsExactly("requeue");
	}

	private Delivery taken(RecordingSettlement settlement) {
		Delivery delivery = delivery(settlement);
		assertThat(this.lease.take(delivery)).isTrue();
		return delivery;
	}

	private static Delivery delivery(Delivery.Settlement settlement) {
		return new Delivery(new byte[0], new AMQP.BasicProperties(), new Envelope(1, false, "", ""), settlement);
	}

	/**
	 * A settlement that records what was sent for its delivery, in order.
	 */
	private static final class RecordingSettlement implements Delivery.Settlement {

		private final List<String> events = new ArrayList<>();

		@Override
		public void ack() {
			this.events.add("ack");
		}

		@Override
		public void requeue() {
			this.events.add("requeue");
		}

		@Override
		public void reject() {
			this.events.add("reject");
		}

	}

}
