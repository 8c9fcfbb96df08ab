package dev.amqpgateway.consume;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.QueueBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The acker against a real channel: coalesced acks settle every delivery they cover, an ack above
 * a delivery still in flight goes out on its own after the hold, and requeues go out at once.
 */
class AckerIntegrationTests {

	private final String queue = GatewayEndpoints.unique("acker");

	private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();

	private final List<Long> tags = new CopyOnWriteArrayList<>();

	private final Acker acker = new Acker(this.sender);

	private Channel channel;

	@BeforeEach
	void consume() throws IOException {
		TestBroker.admin().declareQueue(QueueBuilder.nonDurable(this.queue).build());
		for (int i = 0; i < 4; i++) {
			TestBroker.template().convertAndSend("", this.queue, "m" + i);
		}
		this.channel = TestBroker.template().getConnectionFactory().createConnection().getDelegate().createChannel();
		this.acker.adopt(this.channel);
		this.channel.basicQos(10);
		this.channel.basicConsume(this.queue, false, new DefaultConsumer(this.channel) {

			@Override
			public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
					byte[] body) {
				AckerIntegrationTests.this.tags.add(envelope.getDeliveryTag());
			}

		});
		await().until(() -> this.tags.size() == 4);
	}

	@AfterEach
	void cleanUp() throws Exception {
		this.channel.close();
		this.sender.shutdownNow();
		TestBroker.admin().deleteQueue(this.queue);
	}

	@Test
	void acksInAnyOrderSettleEveryDelivery() {
		for (long tag : List.of(3L, 1L, 4L, 2L)) {
			settlement(tag).ack();
		}
		await().untilAsserted(() -> assertThat(TestBroker.depth(this.queue).total()).isZero());
	}

	@Test
	void anAckAboveADeliveryInFlightIsSentAfterTheHold() {
		settlement(2).ack();
		settlement(3).ack();
		settlement(4).ack();
		// Delivery 1 is still with its request: the others must not wait for it.
		await().untilAsserted(() -> assertThat(TestBroker.depth(this.queue).unacknowledged()).isEqualTo(1));
		settlement(1).ack();
		await().untilAsserted(() -> assertThat(TestBroker.depth(this.queue).total()).isZero());
	}

	@Test
	void aRequeueReturnsTheMessageWhileTheAcksAroundItCoalesce() {
		settlement(1).ack();
		settlement(2).requeue();
		settlement(3).ack();
		settlement(4).ack();
		// The requeued message comes straight back to this consumer, under a new tag.
		await().until(() -> this.tags.size() == 5);
		await().untilAsserted(() -> assertThat(TestBroker.depth(this.queue).unacknowledged()).isEqualTo(1));
		settlement(this.tags.get(4)).ack();
		await().untilAsserted(() -> assertThat(TestBroker.depth(this.queue).total()).isZero());
	}

	private Delivery.Settlement settlement(long tag) {
		return this.acker.settlementOf(this.channel, tag, AckerTests.IGNORED);
	}

}
