package dev.amqpgateway.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.rabbitmq.client.GetResponse;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.MessagePropertiesBuilder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message that cannot be decoded never makes an endpoint fail forever: it is requeued up to the
 * delivery limit and then dead-lettered, on classic queues by the gateway's own count and on quorum
 * queues by the broker's, while the other messages keep being served.
 *
 * <p>Every request here has a message due (a good one, or the poison back from a requeue), so
 * endpoints wait 30s for it: an answer without one would be a failure, not a slow machine.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class PoisonMessageIntegrationTests {

	static final int MAX_DELIVERIES = 3;

	static final String EXCHANGE = GatewayEndpoints.unique("poison-x");

	static final String DEAD_LETTERS = GatewayEndpoints.unique("poison-dlx");

	static final String DEAD_LETTER_QUEUE = GatewayEndpoints.unique("poison-dlq");

	static final String CLASSIC = GatewayEndpoints.unique("poison-classic");

	static final String QUORUM = GatewayEndpoints.unique("poison-quorum");

	static final String QUORUM_DISCARD = GatewayEndpoints.unique("poison-quorum-discard");

	@BeforeAll
	static void deadLetterQueue() {
		TestBroker.declareDeadLetters(DEAD_LETTERS, DEAD_LETTER_QUEUE);
	}

	@AfterAll
	static void cleanUp() {
		TestBroker.delete(List.of(DEAD_LETTER_QUEUE, CLASSIC, QUORUM, QUORUM_DISCARD), DEAD_LETTERS, EXCHANGE);
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/classic", consumer(CLASSIC, EXCHANGE, "amqp.consumer.routing_key[0]", CLASSIC,
					"amqp.consumer.queue_arguments.x-dead-letter-exchange", DEAD_LETTERS))
			.endpoint("/quorum", consumer(QUORUM, EXCHANGE, "amqp.consumer.routing_key[0]", QUORUM,
					"amqp.consumer.durable", "true", "amqp.consumer.queue_arguments.x-queue-type", "quorum",
					"amqp.consumer.queue_arguments.x-dead-letter-exchange", DEAD_LETTERS,
					"amqp.consumer.prefetch_count", "1"))
			.endpoint("/quorum-discard", consumer(QUORUM_DISCARD, EXCHANGE, "amqp.consumer.routing_key[0]",
					QUORUM_DISCARD, "amqp.consumer.durable", "true", "amqp.consumer.queue_arguments.x-queue-type",
					"quorum", "amqp.consumer.queue_arguments.x-dead-letter-exchange", DEAD_LETTERS,
					"amqp.consumer.nack_discard", "true"))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "30s");
		registry.add("gateway.max_deliveries", () -> String.valueOf(MAX_DELIVERIES));
	}

	@Autowired
	WebTestClient client;

	@Test
	void classicQueueDeadLettersThePoisonAfterTheLimitAndServesTheRest() {
		poisonIsDeadLetteredAfterTheLimit("/classic", CLASSIC, "classic-poison", "classic-poison: not json");
	}

	/**
	 * The gateway counts only the failures it saw itself. A quorum queue's {@code x-delivery-count}
	 * also counts every return that was no failure — here two messages handed back unread by
	 * another consumer, as an idle gateway instance gives back what it took ahead of demand — and
	 * going by it would reject the poison at the gateway's first failure.
	 */
	@Test
	void quorumQueueCountsOnlyTheGatewaysOwnFailuresNotReturnsElsewhere() {
		String poison = "quorum-poison: not json";
		TestBroker.publish(EXCHANGE, QUORUM, poison);
		for (int returned = 1; returned < MAX_DELIVERIES; returned++) {
			assertThat(returnUnread(QUORUM)).isEqualTo(poison);
		}
		for (int failure = 1; failure < MAX_DELIVERIES; failure++) {
			this.client.get().uri("/quorum").exchange()
				.expectStatus().isEqualTo(502)
				.expectBody()
				.jsonPath("$.detail")
				.value((String detail) -> assertThat(detail).endsWith("it was requeued."));
		}
		this.client.get().uri("/quorum").exchange()
			.expectStatus().isEqualTo(502)
			.expectBody()
			.jsonPath("$.detail")
			.value((String detail) -> assertThat(detail).endsWith("it was rejected without requeue."));
		await().until(() -> deadLettered().contains(poison));
		await().untilAsserted(() -> assertThat(TestBroker.depth(QUORUM).total()).isZero());
		assertNextMessageServed("/quorum", QUORUM);
	}

	@Test
	void nackDiscardDeadLettersAtOnceOnAQuorumQueue() {
		TestBroker.publish(EXCHANGE, QUORUM_DISCARD, "discard-poison {{{", withId("discard-poison"));
		this.client.get().uri("/quorum-discard").exchange().expectStatus().isEqualTo(502);
		await().until(() -> deadLettered().contains("discard-poison {{{"));
		assertThat(TestBroker.depth(QUORUM_DISCARD).total()).isZero();
	}

	private void poisonIsDeadLetteredAfterTheLimit(String path, String queue, String poisonId, String poison) {
		TestBroker.publish(EXCHANGE, queue, poison, withId(poisonId));
		for (int i = 0; i < 5; i++) {
			TestBroker.publish(EXCHANGE, queue, "{\"n\": " + i + "}", withId("good-" + i));
		}
		int badGateways = 0;
		int served = 0;
		for (int request = 0; request < 20 && (served < 5 || badGateways < MAX_DELIVERIES); request++) {
			int status = this.client.get().uri(path).exchange().expectBody().returnResult().getStatus().value();
			assertThat(status).isIn(200, 502);
			if (status == 200) {
				served++;
			}
			else {
				badGateways++;
			}
		}
		assertThat(served).isEqualTo(5);
		assertThat(badGateways).isEqualTo(MAX_DELIVERIES);
		await().until(() -> deadLettered().contains(poison));
		await().untilAsserted(() -> assertThat(TestBroker.depth(queue).total()).isZero());
		assertNextMessageServed(path, queue);
	}

	/**
	 * The poison is gone for good: a message published after it is the next one served.
	 */
	private void assertNextMessageServed(String path, String queue) {
		TestBroker.publish(EXCHANGE, queue, "{\"next\": true}");
		this.client.get().uri(path).exchange().expectStatus().isOk().expectBody().json("{\"next\": true}", true);
	}

	private List<String> deadLettered() {
		List<String> bodies = new ArrayList<>();
		Message message;
		while ((message = TestBroker.template().receive(DEAD_LETTER_QUEUE)) != null) {
			bodies.add(new String(message.getBody(), StandardCharsets.UTF_8));
		}
		return bodies;
	}

	/**
	 * Take the next ready message of a queue as another consumer, and hand it back unread.
	 * @return the body of the message
	 */
	private static String returnUnread(String queue) {
		return await().until(() -> TestBroker.template().execute((channel) -> {
			GetResponse response = channel.basicGet(queue, false);
			if (response == null) {
				return null;
			}
			channel.basicNack(response.getEnvelope().getDeliveryTag(), false, true);
			return new String(response.getBody(), StandardCharsets.UTF_8);
		}), Objects::nonNull);
	}

	private static MessageProperties withId(String messageId) {
		return MessagePropertiesBuilder.newInstance().setMessageId(messageId).build();
	}

}
