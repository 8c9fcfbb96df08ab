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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meters of every backend as operators read them: {@code /actuator/metrics} and
 * {@code /actuator/prometheus}.
 *
 * <p>Endpoints wait 30s for a message, so that one published before a request always reaches it
 * however busy the machine; only the endpoint whose request expects none waits briefly.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class GatewayMetricsIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("metrics-x");

	static final String METERED = GatewayEndpoints.unique("metered");

	static final String IDLE = GatewayEndpoints.unique("idle");

	static final String DELIVERED = GatewayEndpoints.unique("delivered");

	static final String REQUEUED = GatewayEndpoints.unique("requeued");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/metered", consumer(METERED, EXCHANGE, "amqp.consumer.routing_key[0]", METERED))
			.endpoint("/idle", consumer(IDLE, EXCHANGE, "amqp.consumer.routing_key[0]", IDLE))
			.timeout("200ms")
			.endpoint("/delivered", consumer(DELIVERED, EXCHANGE, "amqp.consumer.routing_key[0]", DELIVERED))
			.endpoint("/requeued", consumer(REQUEUED, EXCHANGE, "amqp.consumer.routing_key[0]", REQUEUED))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "30s");
	}

	@Autowired
	WebTestClient client;

	@Test
	void acknowledgedMessagesAreCountedPerEndpointBackendAndQueue() {
		TestBroker.publish(EXCHANGE, METERED, "{\"id\": 1}");
		this.client.get().uri("/metered").exchange().expectStatus().isOk();
		await().untilAsserted(() -> actuator().get()
			.uri("/actuator/metrics/gateway.messages.acked?tag=endpoint:/metered").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.measurements[0].statistic").isEqualTo("COUNT")
			.jsonPath("$.measurements[0].value").isEqualTo(1.0)
			.jsonPath("$.availableTags[?(@.tag == 'backend')].values[0]").isEqualTo("0")
			.jsonPath("$.availableTags[?(@.tag == 'queue')].values[0]").isEqualTo(METERED));
	}

	@Test
	void aMessageWrittenInAnOkResponseCountsAsDelivered() {
		assertCount("gateway.messages.delivered", "/delivered", 0.0);
		TestBroker.publish(EXCHANGE, DELIVERED, "{\"id\": 2}");
		this.client.get().uri("/delivered").exchange().expectStatus().isOk();
		await().untilAsserted(() -> assertCount("gateway.messages.delivered", "/delivered", 1.0));
	}

	@Test
	void anUndecodableMessageSentBackToItsQueueCountsAsRequeued() {
		assertCount("gateway.messages.requeued", "/requeued", 0.0);
		TestBroker.publish(EXCHANGE, REQUEUED, "not json");
		this.client.get().uri("/requeued").exchange().expectStatus().isEqualTo(502);
		await().untilAsserted(() -> assertCount("gateway.messages.requeued", "/requeued", 1.0));
		assertCount("gateway.messages.rejected", "/requeued", 0.0);
		assertCount("gateway.messages.delivered", "/requeued", 0.0);
	}

	@Test
	void anEmptyPollAndItsWaitAreRecorded() {
		this.client.get().uri("/idle").exchange().expectStatus().isNoContent();
		actuator().get().uri("/actuator/metrics/gateway.polls.empty?tag=endpoint:/idle").exchange()
			.expectBody().jsonPath("$.measurements[0].value").isEqualTo(1.0);
		actuator().get().uri("/actuator/metrics/gateway.wait?tag=endpoint:/idle").exchange()
			.expectBody()
			.jsonPath("$.measurements[0].statistic").isEqualTo("COUNT")
			.jsonPath("$.measurements[0].value").isEqualTo(1.0)
			.jsonPath("$.measurements[1].statistic").isEqualTo("TOTAL_TIME")
			.jsonPath("$.measurements[1].value")
			.value((Double seconds) -> assertThat(seconds).isGreaterThanOrEqualTo(0.15));
	}

	@Test
	void everyBackendMeterIsScrapedInPrometheusFormat() {
		String tags = "{backend=\"0\",endpoint=\"/metered\",queue=\"" + METERED + "\"}";
		String scrape = actuator().get().uri("/actuator/prometheus").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(scrape).contains("gateway_messages_delivered_total" + tags, "gateway_messages_acked_total" + tags,
				"gateway_messages_requeued_total" + tags, "gateway_messages_rejected_total" + tags,
				"gateway_polls_empty_total" + tags, "gateway_wait_seconds_count" + tags,
				"gateway_wait_seconds_sum" + tags, "gateway_requests_waiting" + tags,
				"gateway_messages_buffered" + tags);
	}

	private void assertCount(String meter, String endpoint, double count) {
		actuator().get().uri("/actuator/metrics/" + meter + "?tag=endpoint:" + endpoint).exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.measurements[0].statistic").isEqualTo("COUNT")
			.jsonPath("$.measurements[0].value").isEqualTo(count);
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
