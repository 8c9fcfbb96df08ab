package dev.amqpgateway.http;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.amqpgateway.support.EnvelopeSchema;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
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
import static org.awaitility.Awaitility.await;

/**
 * Batches, the envelope and raw bodies, against the broker: each endpoint drains a queue of its own.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class EnvelopeIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("envelope-x");

	static final String BATCH = GatewayEndpoints.unique("envelope-batch");

	static final String NARROW = GatewayEndpoints.unique("envelope-narrow");

	static final String POISON = GatewayEndpoints.unique("envelope-poison");

	static final String RAW = GatewayEndpoints.unique("envelope-raw");

	static final String ALWAYS = GatewayEndpoints.unique("envelope-always");

	static final String EMPTY = GatewayEndpoints.unique("envelope-empty");

	static final String ASKED = GatewayEndpoints.unique("envelope-asked");

	static final String STREAMING = GatewayEndpoints.unique("envelope-streaming");

	static final JsonMapper mapper = JsonMapper.builder().build();

	@Autowired
	WebTestClient client;

	@Autowired
	MeterRegistry meters;

	@AfterAll
	static void cleanUp() {
		TestBroker.delete(List.of(BATCH, NARROW, POISON, RAW, ALWAYS, EMPTY, ASKED, STREAMING), EXCHANGE);
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints().endpoint("/batch", consumer(BATCH, EXCHANGE, "amqp.consumer.routing_key[0]", BATCH))
			.timeout("10s")
			.endpoint("/narrow", consumer(NARROW, EXCHANGE, "amqp.consumer.routing_key[0]", NARROW,
					"amqp.consumer.prefetch_count", "2"))
			.timeout("10s")
			.endpoint("/poison", consumer(POISON, EXCHANGE, "amqp.consumer.routing_key[0]", POISON))
			.timeout("10s")
			.endpoint("/raw", consumer(RAW, EXCHANGE, "amqp.consumer.routing_key[0]", RAW))
			.timeout("10s")
			.endpoint("/always", consumer(ALWAYS, EXCHANGE, "amqp.consumer.routing_key[0]", ALWAYS))
			.endpoint("/empty", consumer(EMPTY, EXCHANGE, "amqp.consumer.routing_key[0]", EMPTY))
			.endpoint("/asked", consumer(ASKED, EXCHANGE, "amqp.consumer.routing_key[0]", ASKED))
			// auto-deleted, so consumed from the start with its whole prefetch
			.endpoint("/streaming", consumer(STREAMING, EXCHANGE, "amqp.consumer.routing_key[0]", STREAMING,
					"amqp.consumer.delete", "true", "amqp.consumer.prefetch_count", "10"))
			.timeout("10s")
			.addTo(registry);
		registry.add("gateway.endpoints[3].output_encoding", () -> "no-op");
		registry.add("gateway.endpoints[4].envelope", () -> "true");
	}

	@Test
	void aBatchCarriesEachMessageWithItsMetadataAndAcknowledgesThem() throws Exception {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId("m-1");
		properties.setCorrelationId("c-1");
		properties.setTimestamp(Date.from(Instant.parse("2026-11-30T10:15:30Z")));
		properties.setHeader("text", "hello");
		properties.setHeader("number", 42);
		properties.setHeader("decimal", new BigDecimal("12.50"));
		properties.setHeader("when", Date.from(Instant.parse("2026-01-02T03:04:05Z")));
		properties.setHeader("bytes", new byte[] { 1, 2, 3 });
		properties.setHeader("list", List.of("a", 1));
		properties.setHeader("table", Map.of("inner", true));
		TestBroker.publish(EXCHANGE, BATCH, "{\"n\":0}", properties);
		for (int i = 1; i < 7; i++) {
			TestBroker.publish(EXCHANGE, BATCH, "{\"n\":" + i + "}");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(BATCH).ready() == 7);
		JsonNode first = get("/batch?max=5");
		assertThat(first.get("messages")).hasSize(5);
		JsonNode message = first.get("messages").get(0);
		assertThat(message.get("body").get("n").asInt()).isZero();
		assertThat(message.get("backend").asInt()).isZero();
		assertThat(message.get("queue").asString()).isEqualTo(BATCH);
		assertThat(message.get("exchange").asString()).isEqualTo(EXCHANGE);
		assertThat(message.get("routing_key").asString()).isEqualTo(BATCH);
		assertThat(message.get("redelivered").asBoolean()).isFalse();
		assertThat(message.get("delivery_count").asInt()).isEqualTo(1);
		assertThat(message.get("message_id").asString()).isEqualTo("m-1");
		assertThat(message.get("correlation_id").asString()).isEqualTo("c-1");
		assertThat(message.get("content_type").asString()).isEqualTo("application/json");
		assertThat(message.get("timestamp").asString()).isEqualTo("2026-11-30T10:15:30Z");
		JsonNode amqpHeaders = message.get("headers");
		assertThat(amqpHeaders.get("text").asString()).isEqualTo("hello");
		assertThat(amqpHeaders.get("number").asInt()).isEqualTo(42);
		assertThat(amqpHeaders.get("decimal").asString()).isEqualTo("12.50");
		assertThat(amqpHeaders.get("when").asString()).isEqualTo("2026-01-02T03:04:05Z");
		assertThat(amqpHeaders.get("bytes").asString()).isEqualTo("AQID");
		assertThat(amqpHeaders.get("list").toString()).isEqualTo("[\"a\",1]");
		assertThat(amqpHeaders.get("table").get("inner").asBoolean()).isTrue();
		for (int i = 0; i < 5; i++) {
			assertThat(first.get("messages").get(i).get("body").get("n").asInt()).isEqualTo(i);
		}
		// the rest, in order (that a batch is never short is aBatchIsNeverShortWhileTheQueueHasMessagesReady's)
		List<Integer> rest = new java.util.ArrayList<>();
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			get("/batch?max=5").get("messages").forEach((next) -> rest.add(next.get("body").get("n").asInt()));
			return rest.size() >= 2;
		});
		assertThat(rest).containsExactly(5, 6);
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(BATCH).total() == 0);
	}

	@Test
	void aBatchIsNeverShortWhileTheQueueHasMessagesReady() {
		// The backend may hold 2 unacknowledged messages: the other 8 must come from the queue itself.
		for (int i = 0; i < 10; i++) {
			TestBroker.publish(EXCHANGE, NARROW, "{\"n\":" + i + "}");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(NARROW).ready() == 10);
		JsonNode batch = get("/narrow?max=10");
		assertThat(batch.get("messages")).hasSize(10);
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(NARROW).total() == 0);
	}

	@Test
	void aConsumerWithCreditFillsBatchesWithoutGets() {
		// The consumer has received its whole prefetch, and has credit for what a batch lacks: the
		// broker has pushed every ready message, so a get could only come back empty.
		for (int i = 0; i < 10; i++) {
			TestBroker.publish(EXCHANGE, STREAMING, "{\"n\":" + i + "}");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> buffered("/streaming") == 10);
		assertThat(get("/streaming?max=10").get("messages")).hasSize(10);
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(STREAMING).total() == 0);
		double gets = this.meters.get("gateway.batch.gets").tag("endpoint", "/streaming").counter().count();
		for (int i = 10; i < 13; i++) {
			TestBroker.publish(EXCHANGE, STREAMING, "{\"n\":" + i + "}");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> buffered("/streaming") == 3);
		JsonNode batch = get("/streaming?max=10");
		assertThat(batch.get("messages")).hasSize(3);
		assertThat(batch.get("messages").get(0).get("body").get("n").asInt()).isEqualTo(10);
		assertThat(this.meters.get("gateway.batch.gets").tag("endpoint", "/streaming").counter().count())
			.isEqualTo(gets);
	}

	@Test
	void aPoisonMessageInABatchIsSettledAloneAndReported() {
		TestBroker.publish(EXCHANGE, POISON, "{\"n\":1}");
		TestBroker.publish(EXCHANGE, POISON, "not json");
		TestBroker.publish(EXCHANGE, POISON, "{\"n\":3}");
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(POISON).ready() == 3);
		JsonNode batch = get("/poison?max=3");
		assertThat(batch.get("messages")).hasSize(3);
		assertThat(batch.get("messages").get(0).get("body").get("n").asInt()).isEqualTo(1);
		assertThat(batch.get("messages").get(1).has("body")).isFalse();
		assertThat(batch.get("messages").get(1).get("error").asString()).contains("could not be decoded").contains("requeued");
		assertThat(batch.get("messages").get(2).get("body").get("n").asInt()).isEqualTo(3);
		// the two good ones acknowledged, the poison one requeued: the next batch has it again
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(POISON).total() == 1);
		JsonNode again = get("/poison?max=3");
		assertThat(again.get("messages")).hasSize(1);
		assertThat(again.get("messages").get(0).get("redelivered").asBoolean()).isTrue();
		assertThat(again.get("messages").get(0).get("delivery_count").asInt()).isEqualTo(2);
	}

	@Test
	void badBatchParametersAreAnsweredWithProblems() {
		for (String query : List.of("max=0", "max=11", "max=ten", "wait=soon", "wait=-1s", "envelope=maybe")) {
			this.client.get().uri("/batch?" + query).exchange()
				.expectStatus().isBadRequest()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:bad-request");
		}
	}

	@Test
	void waitShortensTheWaitOfAnEmptyQueue() {
		this.client.get().uri("/empty?max=3&wait=100ms").exchange().expectStatus().isNoContent();
	}

	@Test
	void rawBodiesPassByteForByteWithTheirProperties() {
		byte[] body = new byte[256];
		for (int i = 0; i < body.length; i++) {
			body[i] = (byte) i;
		}
		MessageProperties properties = new MessageProperties();
		properties.setContentType("application/x-protobuf");
		properties.setMessageId("raw-1");
		properties.setPriority(3);
		TestBroker.template().send(EXCHANGE, RAW, new Message(body, properties));
		this.client.get().uri("/raw").exchange()
			.expectStatus().isOk()
			.expectHeader().contentType("application/x-protobuf")
			.expectHeader().valueEquals("X-Amqp-Message-Id", "raw-1")
			.expectHeader().valueEquals("X-Amqp-Routing-Key", RAW)
			.expectHeader().valueEquals("X-Amqp-Priority", "3")
			.expectHeader().valueEquals("X-Amqp-Delivery-Count", "1")
			.expectBody(byte[].class).isEqualTo(body);
		TestBroker.template().send(EXCHANGE, RAW, new Message("plain".getBytes(StandardCharsets.UTF_8)));
		this.client.get().uri("/raw").exchange()
			.expectStatus().isOk()
			.expectHeader().contentType(MediaType.APPLICATION_OCTET_STREAM)
			.expectBody(String.class).isEqualTo("plain");
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(RAW).total() == 0);
	}

	@Test
	void anEndpointCanAnswerWithTheEnvelopeAlwaysAndARequestCanAskForIt() throws Exception {
		TestBroker.publish(EXCHANGE, ALWAYS, "{\"always\":1}");
		assertThat(get("/always").get("messages").get(0).get("body").get("always").asInt()).isEqualTo(1);
		TestBroker.publish(EXCHANGE, ALWAYS, "{\"always\":2}");
		this.client.get().uri("/always?envelope=false").exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.always").isEqualTo(2);
		TestBroker.publish(EXCHANGE, ASKED, "{\"asked\":1}");
		assertThat(get("/asked?envelope=true").get("messages").get(0).get("body").get("asked").asInt()).isEqualTo(1);
	}

	private double buffered(String endpoint) {
		return this.meters.get("gateway.messages.buffered").tag("endpoint", endpoint).gauge().value();
	}

	private JsonNode get(String uri) {
		byte[] body = this.client.get().uri(uri).exchange()
			.expectStatus().isOk()
			.expectHeader().contentType(MediaType.APPLICATION_JSON)
			.expectBody().returnResult().getResponseBody();
		JsonNode answer = mapper.readTree(body);
		if (answer.has("messages")) {
			EnvelopeSchema.assertEnvelope(answer);
		}
		return answer;
	}

}
