package dev.amqpgateway.http;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP contract of consumer endpoints and acknowledgement after write, against a real broker.
 * Every test has an endpoint and queues of its own. Endpoints wait 30s for a message, so that one
 * published before or while a request waits always reaches it, however busy the machine; only the
 * endpoints whose tests expect no message wait briefly.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
class ConsumerEndpointIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("consume-x");

	static final String ACKED = GatewayEndpoints.unique("acked");

	static final String VERBATIM = GatewayEndpoints.unique("verbatim");

	static final String EMPTY = GatewayEndpoints.unique("empty");

	static final String LATE = GatewayEndpoints.unique("late");

	static final String POISON = GatewayEndpoints.unique("poison");

	static final String DISCARD = GatewayEndpoints.unique("discard");

	static final String TEXT = GatewayEndpoints.unique("text");

	static final String SAFE = GatewayEndpoints.unique("safe");

	static final String NOOP = GatewayEndpoints.unique("noop");

	static final String LIST = GatewayEndpoints.unique("list");

	static final String FIRST = GatewayEndpoints.unique("first");

	static final String SECOND = GatewayEndpoints.unique("second");

	static final String GROUPED = GatewayEndpoints.unique("grouped");

	static final String NOTHING = GatewayEndpoints.unique("nothing");

	static final String SOMETHING = GatewayEndpoints.unique("something");

	static final String METHODS = GatewayEndpoints.unique("methods");

	static final String AUTO = GatewayEndpoints.unique("auto");

	static final String AUTO_EMPTY = GatewayEndpoints.unique("auto-empty");

	static final String AUTO_MANY = GatewayEndpoints.unique("auto-many");

	static final String VANISH = GatewayEndpoints.unique("vanish");

	// For the endpoints whose requests find no message: long enough for nothing, short for the suite.
	static final String BRIEFLY = "400ms";

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/acked", consumer(ACKED))
			.endpoint("/verbatim", consumer(VERBATIM))
			.endpoint("/empty", consumer(EMPTY))
			.timeout(BRIEFLY)
			.endpoint("/late", consumer(LATE))
			.endpoint("/poison", consumer(POISON))
			.endpoint("/discard", consumer(DISCARD, "amqp.consumer.nack_discard", "true"))
			.endpoint("/text", consumer(TEXT, "encoding", "string"))
			.endpoint("/safe", consumer(SAFE, "encoding", "safejson"))
			.endpoint("/noop", consumer(NOOP, "encoding", "no-op"))
			.endpoint("/list", consumer(LIST, "is_collection", "true"))
			.endpoint("/merged", consumer(FIRST), consumer(SECOND), consumer(GROUPED, "group", "extra"))
			.endpoint("/partial", consumer(NOTHING), consumer(SOMETHING))
			.timeout(BRIEFLY)
			.endpoint("/methods", consumer(METHODS))
			.endpoint("/auto", consumer(AUTO, "amqp.consumer.auto_ack", "true"))
			.endpoint("/auto-empty", consumer(AUTO_EMPTY, "amqp.consumer.auto_ack", "true"))
			.timeout(BRIEFLY)
			.endpoint("/auto-many", consumer(AUTO_MANY, "amqp.consumer.auto_ack", "true"))
			.endpoint("/vanish", consumer(VANISH))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "30s");
		registry.add("gateway.max_deliveries", () -> "3");
		// Consumers stay subscribed once a request came, so that messages can be at hand before one.
		registry.add("gateway.release_after", () -> "1h");
	}

	/**
	 * A backend on a queue of its own, bound to the test exchange with the queue's name as routing key.
	 */
	static Map<String, Object> consumer(String queue, Object... more) {
		Map<String, Object> consumer = GatewayEndpoints.consumer(queue, EXCHANGE, more);
		consumer.put("amqp.consumer.routing_key[0]", queue);
		return consumer;
	}

	@Autowired
	WebTestClient client;

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	@Test
	void answersTheNextMessageAsJsonAndAcknowledgesItOnceWritten() {
		TestBroker.publish(EXCHANGE, ACKED, "{\"id\": 1, \"item\": \"book\"}");
		this.client.get().uri("/acked").exchange()
			.expectStatus().isOk()
			.expectHeader().contentType(MediaType.APPLICATION_JSON)
			.expectHeader().valueEquals("X-Gateway-Completed", "true")
			.expectBody().json("{\"id\": 1, \"item\": \"book\"}", true);
		await().untilAsserted(() -> assertThat(TestBroker.depth(ACKED).total()).isZero());
		await().untilAsserted(() -> assertThat(counter("gateway.messages.acked", "/acked")).isOne());
	}

	@Test
	void writesALoneJsonObjectAsItWasPublished() {
		String published = "{ \"z\": 1,\n  \"a\": [true, null], \"text\": \"caf\u00e9 \\u00e9\" }";
		TestBroker.publish(EXCHANGE, VERBATIM, published);
		this.client.get().uri("/verbatim").exchange()
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
	void answersAMessagePublishedWhileTheRequestWaits() throws Exception {
		CompletableFuture<EntityExchangeResult<String>> response = CompletableFuture
			.supplyAsync(() -> this.client.get().uri("/late").exchange().expectBody(String.class).returnResult());
		await().until(() -> gauge("gateway.requests.waiting", "/late") == 1);
		TestBroker.publish(EXCHANGE, LATE, "{\"late\": true}");
		EntityExchangeResult<String> result = response.get(60, TimeUnit.SECONDS);
		assertThat(result.getStatus().value()).isEqualTo(200);
		assertThat(result.getResponseBody()).isEqualTo("{\"late\": true}");
	}

	@Test
	void undecodableMessageIsBadGatewayAndRequeuedUntilTheDeliveryLimitWhileOthersAreServed() {
		TestBroker.publish(EXCHANGE, POISON, "not json");
		TestBroker.publish(EXCHANGE, POISON, "{\"good\": true}");
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
		// Gone for good: the next message is served, not the poison again.
		TestBroker.publish(EXCHANGE, POISON, "{\"next\": true}");
		this.client.get().uri("/poison").exchange().expectStatus().isOk().expectBody().json("{\"next\": true}", true);
	}

	@Test
	void nackDiscardRejectsAnUndecodableMessageAtOnce() {
		TestBroker.publish(EXCHANGE, DISCARD, "<xml/>");
		this.client.get().uri("/discard").exchange()
			.expectStatus().isEqualTo(502)
			.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("rejected"));
		await().untilAsserted(() -> assertThat(TestBroker.depth(DISCARD).total()).isZero());
	}

	@Test
	void stringEncodingAnswersTheBodyAsContent() {
		TestBroker.publish(EXCHANGE, TEXT, "plain words");
		this.client.get().uri("/text").exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"content\": \"plain words\"}", true);
	}

	@Test
	void safeJsonWrapsArraysAndScalars() {
		TestBroker.publish(EXCHANGE, SAFE, "[1, 2]");
		TestBroker.publish(EXCHANGE, SAFE, "42");
		TestBroker.publish(EXCHANGE, SAFE, "{\"a\": 1}");
		this.client.get().uri("/safe").exchange().expectBody().json("{\"collection\": [1, 2]}", true);
		this.client.get().uri("/safe").exchange().expectBody().json("{\"content\": 42}", true);
		this.client.get().uri("/safe").exchange().expectBody().json("{\"a\": 1}", true);
	}

	@Test
	void noOpEncodingContributesAnEmptyObject() {
		TestBroker.publish(EXCHANGE, NOOP, "\u0000 binary");
		this.client.get().uri("/noop").exchange().expectStatus().isOk().expectBody().json("{}", true);
	}

	@Test
	void isCollectionAnswersAJsonArrayUnderCollection() {
		TestBroker.publish(EXCHANGE, LIST, "[{\"id\": 1}, {\"id\": 2}]");
		this.client.get().uri("/list").exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"collection\": [{\"id\": 1}, {\"id\": 2}]}", true);
	}

	@Test
	void mergesBackendsInConfigurationOrderAndNestsGroups() {
		TestBroker.publish(EXCHANGE, FIRST, "{\"shared\": \"first\", \"a\": 1}");
		TestBroker.publish(EXCHANGE, SECOND, "{\"shared\": \"second\", \"b\": 2}");
		TestBroker.publish(EXCHANGE, GROUPED, "{\"c\": 3}");
		this.client.get().uri("/merged").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-Gateway-Completed", "true")
			.expectBody().json("{\"shared\": \"second\", \"a\": 1, \"b\": 2, \"extra\": {\"c\": 3}}", true);
	}

	@Test
	void answersWhatArrivedWithCompletedFalseWhenABackendHasNothing() {
		// Nothing there yet: the request makes both backends consume.
		this.client.get().uri("/partial").exchange().expectStatus().isNoContent();
		TestBroker.publish(EXCHANGE, SOMETHING, "{\"b\": 2}");
		// At hand before the request, which waits only briefly for the backend that has nothing.
		await().until(() -> this.meters.get("gateway.messages.buffered").tag("endpoint", "/partial")
			.tag("queue", SOMETHING).gauge().value() == 1);
		this.client.get().uri("/partial").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-Gateway-Completed", "false")
			.expectBody().json("{\"b\": 2}", true);
	}

	@Test
	void otherMethodsAreNotAllowed() {
		this.client.post().uri("/methods").exchange()
			.expectStatus().isEqualTo(405)
			.expectHeader().valueEquals("Allow", "GET")
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:method-not-allowed");
		this.client.head().uri("/methods").exchange().expectStatus().isEqualTo(405);
		this.client.delete().uri("/methods").exchange().expectStatus().isEqualTo(405);
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
			TestBroker.publish(EXCHANGE, AUTO, "{\"n\": " + i + "}");
		}
		for (int i = 0; i < 3; i++) {
			this.client.get().uri("/auto").exchange().expectStatus().isOk().expectBody().json("{\"n\": " + i + "}");
		}
		// An ack on an auto-ack delivery is a channel error (unknown delivery tag) that would
		// close the channel; the channel is still the first one and nothing was settled.
		assertThat(counter("gateway.messages.acked", "/auto")).isZero();
		assertThat(counter("gateway.messages.requeued", "/auto")).isZero();
		assertThat(TestBroker.depth(AUTO).total()).isZero();
	}

	@Test
	void autoAckBackendAnswersNoContentWhenNoMessageArrivesInTime() {
		this.client.get().uri("/auto-empty").exchange()
			.expectStatus().isNoContent()
			.expectHeader().valueEquals("X-Gateway-Completed", "false")
			.expectBody().isEmpty();
		assertThat(counter("gateway.polls.empty", "/auto-empty")).isOne();
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
			TestBroker.publish(EXCHANGE, AUTO_MANY, "{\"n\": " + i + "}");
		}
		Set<String> bodies = new HashSet<>();
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			HttpResponse<String> answer = response.orTimeout(60, TimeUnit.SECONDS).join();
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
		// The request would wait 30s: only noticing that its client left withdraws it this soon.
		await().atMost(Duration.ofSeconds(10)).until(() -> gauge("gateway.requests.waiting", "/vanish") == 0);
		TestBroker.publish(EXCHANGE, VANISH, "{\"kept\": true}");
		await().untilAsserted(() -> assertThat(TestBroker.depth(VANISH).total()).isEqualTo(1));
		this.client.get().uri("/vanish").exchange().expectStatus().isOk().expectBody().json("{\"kept\": true}");
		assertThat(counter("gateway.messages.requeued", "/vanish")).isZero();
		await().untilAsserted(() -> assertThat(TestBroker.depth(VANISH).total()).isZero());
	}

	private double counter(String name, String endpoint) {
		return this.meters.get(name).tag("endpoint", endpoint).counter().count();
	}

	private double gauge(String name, String endpoint) {
		return this.meters.get(name).tag("endpoint", endpoint).gauge().value();
	}

}
