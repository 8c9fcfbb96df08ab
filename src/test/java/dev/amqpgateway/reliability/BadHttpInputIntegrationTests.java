package dev.amqpgateway.reliability;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad HTTP input is refused without touching the broker: other methods, unknown paths, oversized
 * request lines and headers. The endpoint waits 30s for a message, so that the one published
 * before its request always reaches it, however busy the machine.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
class BadHttpInputIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("bad-input-x");

	static final String QUEUE = GatewayEndpoints.unique("bad-input");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints().endpoint("/input", consumer(QUEUE, EXCHANGE))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "30s");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	MeterRegistry meters;

	@Test
	void everyMethodButGetIsRefusedWithAllowGet() {
		TestBroker.publish(EXCHANGE, "any", "{\"kept\": true}");
		for (var method : new org.springframework.http.HttpMethod[] { org.springframework.http.HttpMethod.POST,
				org.springframework.http.HttpMethod.PUT, org.springframework.http.HttpMethod.DELETE,
				org.springframework.http.HttpMethod.PATCH, org.springframework.http.HttpMethod.HEAD,
				org.springframework.http.HttpMethod.OPTIONS }) {
			this.client.method(method).uri("/input").exchange()
				.expectStatus().isEqualTo(405)
				.expectHeader().valueEquals("Allow", "GET");
		}
		assertThat(delivered()).isZero();
		this.client.get().uri("/input").exchange().expectStatus().isOk().expectBody().json("{\"kept\": true}");
	}

	@Test
	void unknownPathIsANotFoundProblem() {
		this.client.get().uri("/input/more").exchange()
			.expectStatus().isNotFound()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:not-found")
			.jsonPath("$.instance").isEqualTo("/input/more");
	}

	@Test
	void oversizedQueryStringIsRefusedBeforeTheBroker() {
		long before = waitedRequests();
		this.client.get().uri("/input?q=" + "x".repeat(10_000)).exchange()
			.expectStatus().value((status) -> assertThat(status).isBetween(400, 499));
		assertThat(waitedRequests()).isEqualTo(before);
	}

	@Test
	void oversizedHeadersAreRefusedBeforeTheBroker() {
		long before = waitedRequests();
		this.client.get().uri("/input").header("X-Padding", "x".repeat(20_000)).exchange()
			.expectStatus().value((status) -> assertThat(status).isBetween(400, 499));
		assertThat(waitedRequests()).isEqualTo(before);
	}

	private double delivered() {
		return this.meters.get("gateway.messages.delivered").counter().count();
	}

	private long waitedRequests() {
		return this.meters.get("gateway.wait").timer().count();
	}

}
