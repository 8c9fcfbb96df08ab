package dev.amqpgateway.health;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health while no broker can be reached: readiness down, liveness up, each
 * backend down with its last error, and a backend that gave up says when it tries again.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
// Closed after the class, so that its backends stop retrying.
@DirtiesContext
class UnreachableBrokerHealthTests {

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/waiting", consumer(GatewayEndpoints.unique("waiting"), "unused", "host[0]", TestBroker.NOWHERE))
			.endpoint("/given-up", consumer(GatewayEndpoints.unique("given-up"), "unused", "host[0]",
					TestBroker.NOWHERE, "amqp.consumer.max_retries", "2"))
			.addTo(registry);
	}

	@Autowired
	WebTestClient client;

	@Test
	void readinessIsDownWhileNoBrokerIsReachable() {
		actuator().get().uri("/actuator/health/readiness").exchange()
			.expectStatus().isEqualTo(503)
			.expectBody()
			.jsonPath("$.status").isEqualTo("DOWN")
			.jsonPath("$.components.brokers.status").isEqualTo("DOWN")
			.jsonPath("$.components.brokers.details.broker-0.hosts").isEqualTo("amqp://guest@127.0.0.1:1")
			.jsonPath("$.components.brokers.details.broker-0.connected").isEqualTo(0);
	}

	@Test
	void livenessDoesNotDependOnTheBroker() {
		actuator().get().uri("/actuator/health/liveness").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.components.brokers").doesNotExist()
			.jsonPath("$.components.gateway").doesNotExist();
	}

	@Test
	void aBackendThatCannotConnectIsDownWithItsLastErrorAndNextAttempt() {
		// While an attempt runs none is scheduled: the detail shows between attempts, most of the time.
		await().untilAsserted(() -> actuator().get().uri("/actuator/health/gateway/waiting/0").exchange()
			.expectStatus().isEqualTo(503)
			.expectBody()
			.jsonPath("$.status").isEqualTo("DOWN")
			.jsonPath("$.details.state").value((String state) -> assertThat(state).isIn("CONNECTING", "RECONNECTING"))
			.jsonPath("$.details.lastError").value((String error) -> assertThat(error).contains("Connection refused"))
			.jsonPath("$.details.reconnect").value((String reconnect) -> assertThat(reconnect).startsWith("attempt "))
			.jsonPath("$.details.messages").doesNotExist());
	}

	@Test
	void aBackendThatGaveUpSaysWhenItTriesAgain() {
		await().untilAsserted(() -> actuator().get().uri("/actuator/health/gateway/given-up/0").exchange()
			.expectStatus().isEqualTo(503)
			.expectBody()
			.jsonPath("$.details.state").isEqualTo("GAVE_UP")
			.jsonPath("$.details.reconnect").value((String reconnect) -> assertThat(reconnect)
				.matches("gave up after 2 attempts; next cycle at \\S+ or on the next request")));
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
