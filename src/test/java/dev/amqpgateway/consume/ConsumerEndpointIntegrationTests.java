package dev.amqpgateway.consume;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.HashSet;
import java.util.Set;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP contract of consumer endpoints (SPEC §3) and acknowledgement after write (SPEC §4),
 * against a real broker.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
class ConsumerEndpointIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("consume-x");

	static final String ORDERS = GatewayEndpoints.unique("orders");

	static final String EMPTY = GatewayEndpoints.unique("empty");

	static final String POISON = GatewayEndpoints.unique("poison");

	static final String DISCARD = GatewayEndpoints.unique("discard");

	static final String TEXT = GatewayEndpoints.unique("text");

	static final String SAFE = GatewayEndpoints.unique("safe");

	static final String NOOP = GatewayEndpoints.unique("noop");

	static final String LIST = GatewayEndpoints.unique("list");

	static final String FIRST = GatewayEndpoints.unique("first");

	static final String SECOND = GatewayEndpoints.unique("second");

	static final String GROUPED = GatewayEndpoints.unique("grouped");

	static final String AUTO = GatewayEndpoints.unique("auto");

	static final String VANISH = GatewayEndpoints.unique("vanish");

	static final String AUTO_MANY = GatewayEndpoints.unique("auto-many");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/orders", consumer(ORDERS, EXCHANGE, "amqp.consumer.routing_key[0]", ORDERS))
			.endpoint("/empty", consumer(EMPTY, EXCHANGE, "amqp.consumer.routing_key[0]", EMPTY))
			.endpoint("/poison", consumer(POISON, EXCHANGE, "amqp.consumer.routing_key[0]", POISON))
			.endpoint("/discard", consumer(DISCARD, EXCHANGE, "amqp.consumer.routing_key[0]", DISCARD,
					"amqp.consumer.nack_discard", "true"))
			.endpoint("/text", consumer(TEXT, EXCHANGE, "amqp.consumer.routing_key[0]", TEXT, "encoding", "string"))
			.endpoint("/safe", consumer(SAFE, EXCHANGE, "amqp.consumer.routing_key[0]", SAFE, "encoding", "safejson"))
			.endpoint("/noop", consumer(NOOP, EXCHANGE, "amqp.consumer.routing_key[0]", NOOP, "encoding", "no-op"))
			.endpoint("/list", consumer(LIST, EXCHANGE, "amqp.consumer.routing_key[0]", LIST, "is_collection", "true"))
			.endpoint("/merged", consumer(FIRST, EXCHANGE, "amqp.consumer.routing_key[0]", FIRST),
					consumer(SECOND, EXCHANGE, "amqp.consumer.routing_key[0]", SECOND),
					consumer(GROUPED, EXCHANGE, "amqp.consumer.routing_key[0]", GROUPED, "group", "extra"))
			.endpoint("/auto", consumer(AUTO, EXCHANGE, "amqp.consumer.routing_key[0]", AUTO,
					"amqp.consumer.auto_ack", "true"))
			.endpoint("/vanish", consumer(VANISH, EXCHANGE, "amqp.consumer.routing_key[0]", VANISH))
			.endpoint("/auto-many", consumer(AUTO_MANY, EXCHANGE, "amqp.consumer.routing_key[0]", AUTO_MANY,
					"amqp.consumer.auto_ack", "true"))
			.timeout("10s")
			.addTo(registry);
		registry.add("gateway.timeout", () -> "400ms");
		registry.add("gateway.max_deliveries", () -> "3");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	@Test
	void answersTheNextMessageAsJsonAndAcknowledgesItOnceWritten() {
		double acked = counter("gateway.messages.acked", "/orders");
		publish(ORDERS, "{\"id\": 1, \"item\": \"book\"}");
		this.client.get().uri("/orders").exchange()
			.expectStatus().isOk()
			.expectHeader().contentType(MediaType.APPLICATION_JSON)
			.expectHeader().valueEquals("X-Gateway-Completed", "true")
			.expectBody().json("{\"id\": 1, \"item\": \"book\"}", true);
		await().untilAsserted(() -> assertThat(TestBroker.depth(ORDERS).total()).isZero());
		await().untilAsserted(() -> assertThat(counter("gateway.messages.acked", "/orders")).isEqualTo(acked + 1));
	}

	@Test
	void writesALoneJsonObjectAsItWasPublished() {
		String published = "{ \"z\": 1,\n  \"a\": [true, null], \"text\": \"caf\u00e9 \\u00e9\" }";
		publish(ORDERS, published);
		this.client.get().uri("/orders").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).isEqualTo(published);
	}

	@Test
	void answersNoContentWhenNoMessageArrivesInTime() {
		this.client.get().uri("/empty").exchange()
			.expectStatus().isNoContent()
			.expectHeader().valueEquals("X-Gateway-Completed", "false")
			.expectBody().isEmpty();
	}

	@Test
	void answersAMessagePublishedWhileTheRequestWaits() {
		CompletableFuture.runAsync(() -> {
			await().until(() -> gauge("gateway.requests.waiting", "/orders") == 1);
			publish(ORDERS, "{\"late\": true}");
		});
		this.client.get().uri("/orders").exchange().expectStatus().isOk().expectBody().json("{\"late\": true}");
	}

	@Test
	void undecodableMessageIsBadGatewayAndRequeuedUntilTheDeliveryLimitWhileOthersAreServed() {
		publish(POISON, "not json");
		publish(POISON, "{\"good\": true}");
		List<String> details = new ArrayList<>();
		int served = 0;
		for (int request = 0; request < 6 && (details.size() < 3 || served < 1); request++) {
			var result = this.client.get().uri("/poison").exchange().expectBody(String.class).returnResult();
			if (result.getStatus().value() == 200) {
				assertThat(result.getResponseBody()).isEqualTo("{\"good\": true}");
				served++;
			}
			else {
				assertThat(result.getStatus().value()).isEqualTo(502);
				assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
				assertThat(result.getResponseBody()).contains("urn:amqp-gateway:problem:undecodable-message")
					.contains(POISON);
				details.add(result.getResponseBody());
			}
		}
		assertThat(served).isEqualTo(1);
		assertThat(details).hasSize(3);
		assertThat(details.subList(0, 2)).allSatisfy((detail) -> assertThat(detail).contains("requeued"));
		assertThat(details.get(2)).contains("rejected without requeue");
		assertThat(counter("gateway.messages.rejected", "/poison")).isEqualTo(1);
		await().untilAsserted(() -> assertThat(TestBroker.depth(POISON).total()).isZero());
		this.client.get().uri("/poison").exchange().expectStatus().isNoContent();
	}

	@Test
	void nackDiscardRejectsAnUndecodableMessageAtOnce() {
		publish(DISCARD, "<xml/>");
		this.client.get().uri("/discard").exchange()
			.expectStatus().isEqualTo(502)
			.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("rejected"));
		await().untilAsserted(() -> assertThat(TestBroker.depth(DISCARD).total()).isZero());
	}

	@Test
	void stringEncodingAnswersTheBodyAsContent() {
		publish(TEXT, "plain words");
		this.client.get().uri("/text").exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"content\": \"plain words\"}", true);
	}

	@Test
	void safeJsonWrapsArraysAndScalars() {
		publish(SAFE, "[1, 2]");
		publish(SAFE, "42");
		publish(SAFE, "{\"a\": 1}");
		this.client.get().uri("/safe").exchange().expectBody().json("{\"collection\": [1, 2]}", true);
		this.client.get().uri("/safe").exchange().expectBody().json("{\"content\": 42}", true);
		this.client.get().uri("/safe").exchange().expectBody().json("{\"a\": 1}", true);
	}

	@Test
	void noOpEncodingContributesAnEmptyObject() {
		publish(NOOP, "\u0000 binary");
		this.client.get().uri("/noop").exchange().expectStatus().isOk().expectBody().json("{}", true);
	}

	@Test
	void isCollectionAnswersAJsonArrayUnderCollection() {
		publish(LIST, "[{\"id\": 1}, {\"id\": 2}]");
		this.client.get().uri("/list").exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"collection\": [{\"id\": 1}, {\"id\": 2}]}", true);
	}

	@Test
	void mergesBackendsInConfigurationOrderAndNestsGroups() {
		publish(FIRST, "{\"shared\": \"first\", \"a\": 1}");
		publish(SECOND, "{\"shared\": \"second\", \"b\": 2}");
		publish(GROUPED, "{\"c\": 3}");
		this.client.get().uri("/merged").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-Gateway-Completed", "true")
			.expectBody().json("{\"shared\": \"second\", \"a\": 1, \"b\": 2, \"extra\": {\"c\": 3}}", true);
	}

	@Test
	void answersWhatArrivedWithCompletedFalseWhenABackendHasNothing() {
		publish(SECOND, "{\"b\": 2}");
		this.client.get().uri("/merged").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-Gateway-Completed", "false")
			.expectBody().json("{\"b\": 2}", true);
	}

	@Test
	void otherMethodsAreNotAllowed() {
		this.client.post().uri("/orders").exchange()
			.expectStatus().isEqualTo(405)
			.expectHeader().valueEquals("Allow", "GET")
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:method-not-allowed");
		this.client.head().uri("/orders").exchange().expectStatus().isEqualTo(405);
		this.client.delete().uri("/orders").exchange().expectStatus().isEqualTo(405);
	}

	@Test
	void unknownPathsAreNotFoundProblems() {
		this.client.get().uri("/no-such-endpoint").exchange()
			.expectStatus().isNotFound()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:not-found");
	}

	@Test
	void autoAckBackendNeverAcknowledges() {
		for (int i = 0; i < 3; i++) {
			publish(AUTO, "{\"n\": " + i + "}");
		}
		for (int i = 0; i < 3; i++) {
			this.client.get().uri("/auto").exchange().expectStatus().isOk().expectBody().json("{\"n\": " + i + "}");
		}
		// An ack on an auto-ack delivery is a channel error (unknown delivery tag) that would
		// close the channel; the channel is still the first one and nothing was settled.
		assertThat(counter("gateway.messages.acked", "/auto")).isZero();
		assertThat(counter("gateway.messages.requeued", "/auto")).isZero();
		assertThat(TestBroker.depth(AUTO).total()).isZero();
		this.client.get().uri("/auto").exchange().expectStatus().isNoContent();
	}

	@Test
	void autoAckBackendServesManyWaitingRequestsFromOnePoller() {
		int requests = 20;
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < requests; i++) {
			responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/auto-many"))
				.build(), HttpResponse.BodyHandlers.ofString()));
		}
		await().until(() -> gauge("gateway.requests.waiting", "/auto-many") == requests);
		for (int i = 0; i < requests; i++) {
			publish(AUTO_MANY, "{\"n\": " + i + "}");
		}
		Set<String> bodies = new HashSet<>();
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			HttpResponse<String> answer = response.orTimeout(10, TimeUnit.SECONDS).join();
			assertThat(answer.statusCode()).isEqualTo(200);
			bodies.add(answer.body());
		}
		assertThat(bodies).hasSize(requests);
	}

	@Test
	void aClientThatLeavesWhileWaitingTakesNoMessage() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write("GET /vanish HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			await().until(() -> gauge("gateway.requests.waiting", "/vanish") == 1);
		}
		await().atMost(Duration.ofSeconds(2)).until(() -> gauge("gateway.requests.waiting", "/vanish") == 0);
		publish(VANISH, "{\"kept\": true}");
		await().untilAsserted(() -> assertThat(TestBroker.depth(VANISH).total()).isEqualTo(1));
		this.client.get().uri("/vanish").exchange().expectStatus().isOk().expectBody().json("{\"kept\": true}");
		assertThat(counter("gateway.messages.requeued", "/vanish")).isZero();
		await().untilAsserted(() -> assertThat(TestBroker.depth(VANISH).total()).isZero());
	}

	private void publish(String routingKey, String body) {
		MessageProperties properties = new MessageProperties();
		properties.setContentType("application/json");
		TestBroker.template().send(EXCHANGE, routingKey, new Message(body.getBytes(StandardCharsets.UTF_8), properties));
	}

	private double counter(String name, String endpoint) {
		return this.meters.get(name).tag("endpoint", endpoint).counter().count();
	}

	private double gauge(String name, String endpoint) {
		return this.meters.get(name).tag("endpoint", endpoint).gauge().value();
	}

}
