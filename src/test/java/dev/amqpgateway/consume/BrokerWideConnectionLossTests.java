package dev.amqpgateway.consume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every connection of the broker closed at once ({@code rabbitmqctl close_all_connections}), as a
 * broker restart or an operator does: every backend reconnects, an exclusive queue (which died
 * with the connection) is declared again, and requests are served.
 *
 * <p>This closes the connections of everyone using the broker: on a machine whose broker other
 * test runs share, run it under the exclusive broker lock, or skip it with
 * {@code -Dgateway.tests.broker-wide=false}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@DirtiesContext
@DisabledIfSystemProperty(named = "gateway.tests.broker-wide", matches = "false")
class BrokerWideConnectionLossTests {

	static final String EXCHANGE = GatewayEndpoints.unique("broker-wide-x");

	static final String DURABLE = GatewayEndpoints.unique("broker-wide");

	static final String EXCLUSIVE = GatewayEndpoints.unique("broker-wide-exclusive");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/durable", consumer(DURABLE, EXCHANGE, "amqp.consumer.routing_key[0]", DURABLE))
			.endpoint("/exclusive", consumer(EXCLUSIVE, EXCHANGE, "amqp.consumer.routing_key[0]", EXCLUSIVE,
					"amqp.consumer.exclusive", "true"))
			.endpoint("/polling", consumer(GatewayEndpoints.unique("broker-wide-polling"), EXCHANGE,
					"amqp.consumer.auto_ack", "true"))
			.addTo(registry);
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	Receivers receivers;

	@Test
	void everyBackendReconnectsAfterTheBrokerClosesAllConnections() {
		TestBroker.closeAllConnections();
		await().atMost(Duration.ofSeconds(1))
			.until(() -> this.receivers.backends().stream().noneMatch((backend) -> backend.status().isUp()));
		assertThat(this.receivers.backends()).allSatisfy(
				(backend) -> assertThat(backend.status().lastError()).contains("CONNECTION_FORCED"));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.receivers.backends().stream().allMatch((backend) -> backend.status().isUp()));
		publish(DURABLE, "{\"queue\": \"durable\"}");
		publish(EXCLUSIVE, "{\"queue\": \"exclusive\"}");
		this.client.get().uri("/durable").exchange().expectStatus().isOk().expectBody().json("{\"queue\": \"durable\"}");
		this.client.get().uri("/exclusive").exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"queue\": \"exclusive\"}");
	}

	private static void publish(String routingKey, String body) {
		TestBroker.template().send(EXCHANGE, routingKey,
				new Message(body.getBytes(StandardCharsets.UTF_8), new MessageProperties()));
	}

}
