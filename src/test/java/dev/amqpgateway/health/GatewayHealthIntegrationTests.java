package dev.amqpgateway.health;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Queue;
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
 * Health of endpoints, backends and brokers against a reachable broker, and beside it a second
 * broker that refuses every connection.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@DirtiesContext
class GatewayHealthIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("health-x");

	static final String CONSUMED = GatewayEndpoints.unique("consumed");

	static final String POLLED = GatewayEndpoints.unique("polled");

	static final String NESTED = GatewayEndpoints.unique("nested");

	static final String CONFLICT = GatewayEndpoints.unique("conflict");

	static final String HALF_REACHABLE = GatewayEndpoints.unique("half-reachable");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/consumed", consumer(CONSUMED, EXCHANGE, "amqp.consumer.routing_key[0]", CONSUMED))
			.endpoint("/polled", consumer(POLLED, EXCHANGE, "amqp.consumer.routing_key[0]", POLLED,
					"amqp.consumer.auto_ack", "true"))
			.endpoint("/api/v1/nested", consumer(NESTED, EXCHANGE, "amqp.consumer.routing_key[0]", NESTED))
			.endpoint("/conflict", consumer(CONFLICT, EXCHANGE, "amqp.consumer.routing_key[0]", CONFLICT))
			.endpoint("/half-reachable",
					consumer(HALF_REACHABLE, EXCHANGE, "amqp.consumer.routing_key[0]", HALF_REACHABLE),
					consumer(GatewayEndpoints.unique("unreachable"), EXCHANGE, "host[0]", TestBroker.NOWHERE))
			.addTo(registry);
	}

	@BeforeAll
	static void aDurableQueueTheGatewayWillDeclareNonDurable() {
		TestBroker.admin().declareQueue(new Queue(CONFLICT, true));
	}

	@AfterAll
	static void deleteTheDurableQueue() {
		TestBroker.admin().deleteQueue(CONFLICT);
	}

	@Autowired
	WebTestClient client;

	@Test
	void eachBackendIsAComponentOfItsEndpointWithItsQueueBrokerAndConsumers() {
		actuator().get().uri("/actuator/health/gateway/consumed/0").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.details.endpoint").isEqualTo("/consumed")
			.jsonPath("$.details.queue").isEqualTo(CONSUMED)
			.jsonPath("$.details.broker").isEqualTo("amqp://guest@" + TestBroker.host() + ":" + TestBroker.port())
			.jsonPath("$.details.state").isEqualTo("UP")
			.jsonPath("$.details.consumers").isNumber()
			.jsonPath("$.details.lastError").doesNotExist();
	}

	@Test
	void messageCountIsTheDepthOfTheQueue() {
		TestBroker.publish(EXCHANGE, POLLED, "{\"n\": 1}");
		TestBroker.publish(EXCHANGE, POLLED, "{\"n\": 2}");
		await().untilAsserted(() -> actuator().get().uri("/actuator/health/gateway/polled/0").exchange()
			.expectBody()
			.jsonPath("$.details.messages").isEqualTo(2)
			.jsonPath("$.details.consumers").isEqualTo(0));
	}

	@Test
	void nestedPathsAreNamedWithDots() {
		actuator().get().uri("/actuator/health/gateway/api.v1.nested/0").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.details.endpoint").isEqualTo("/api/v1/nested");
	}

	@Test
	void aRefusedDeclarationIsDownWithTheQueueAndTheBrokersReason() {
		actuator().get().uri("/actuator/health/gateway/conflict/0").exchange()
			.expectStatus().isEqualTo(503)
			.expectBody()
			.jsonPath("$.status").isEqualTo("DOWN")
			.jsonPath("$.details.state").isEqualTo("UP")
			.jsonPath("$.details.declarationError").value((String error) -> assertThat(error)
				.startsWith("406 PRECONDITION_FAILED")
				.contains("inequivalent arg 'durable' for queue '" + CONFLICT + "'"));
	}

	@Test
	void readinessIsUpWhileOneOfTwoBrokersAnswers() {
		actuator().get().uri("/actuator/health/readiness").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.components.readinessState.status").isEqualTo("UP")
			.jsonPath("$.components.brokers.status").isEqualTo("UP")
			.jsonPath("$.components.brokers.details.broker-0.backends").isEqualTo(5)
			.jsonPath("$.components.brokers.details.broker-0.connected").isEqualTo(5)
			.jsonPath("$.components.brokers.details.broker-1.hosts").isEqualTo("amqp://guest@127.0.0.1:1")
			.jsonPath("$.components.brokers.details.broker-1.backends").isEqualTo(1)
			.jsonPath("$.components.brokers.details.broker-1.connected").isEqualTo(0)
			.jsonPath("$.components.gateway").doesNotExist();
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
