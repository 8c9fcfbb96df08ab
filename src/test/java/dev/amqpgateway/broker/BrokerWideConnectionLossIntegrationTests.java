package dev.amqpgateway.broker;

import java.time.Duration;
import java.util.List;

import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.support.BackendLog;
import dev.amqpgateway.support.BrokerWide;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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
 *
 * <p>Reconnects come every half second here, so a backend is down only briefly: its loss is read
 * from the log, which keeps it, rather than from its status, which a reconnect may already have
 * changed.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
@BrokerWide
class BrokerWideConnectionLossIntegrationTests {

	// Generous for a busy machine: the broker's close reaches the gateway at once, with no request asking.
	static final Duration AT_ONCE = Duration.ofSeconds(10);

	static final String EXCHANGE = GatewayEndpoints.unique("broker-wide-x");

	static final String DURABLE = GatewayEndpoints.unique("broker-wide");

	static final String EXCLUSIVE = GatewayEndpoints.unique("broker-wide-exclusive");

	static final String POLLING = GatewayEndpoints.unique("broker-wide-polling");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/durable", consumer(DURABLE, EXCHANGE, "amqp.consumer.routing_key[0]", DURABLE))
			.endpoint("/exclusive", consumer(EXCLUSIVE, EXCHANGE, "amqp.consumer.routing_key[0]", EXCLUSIVE,
					"amqp.consumer.exclusive", "true"))
			.endpoint("/polling", consumer(POLLING, EXCHANGE, "amqp.consumer.auto_ack", "true"))
			.addTo(registry);
		// A message published before a request always reaches it, however busy the machine.
		registry.add("gateway.timeout", () -> "30s");
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ConsumerBackends backends;

	@Test
	void everyBackendReconnectsAfterTheBrokerClosesAllConnections(CapturedOutput output) {
		TestBroker.closeAllConnections();
		await().atMost(AT_ONCE).untilAsserted(() -> assertThat(List.of(DURABLE, EXCLUSIVE, POLLING))
			.allSatisfy((queue) -> assertThat(BackendLog.ofQueue(output, queue))
				.containsPattern("Lost the broker: .*: 320 CONNECTION_FORCED")));
		// Logged once each backend was down: up from now on means reconnected.
		await().until(() -> this.backends.all().stream().allMatch((backend) -> backend.status().isUp()));
		TestBroker.publish(EXCHANGE, DURABLE, "{\"queue\": \"durable\"}");
		TestBroker.publish(EXCHANGE, EXCLUSIVE, "{\"queue\": \"exclusive\"}");
		this.client.get().uri("/durable").exchange().expectStatus().isOk().expectBody().json("{\"queue\": \"durable\"}");
		this.client.get().uri("/exclusive").exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"queue\": \"exclusive\"}");
	}

}
