package dev.amqpgateway.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.amqpgateway.consume.LeaseBook;
import dev.amqpgateway.support.EnvelopeSchema;
import dev.amqpgateway.support.Envelopes;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
 * Leases the client acknowledges, against the broker: receipts, their outcomes, expiry, the bound
 * on leases, foreign and forged receipts, and a channel lost with leases out.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class LeaseIntegrationTests {

	static final String SECRET = "a-test-secret-of-at-least-32-characters";

	static final String EXCHANGE = GatewayEndpoints.unique("lease-x");

	static final String ACKED = GatewayEndpoints.unique("lease-acked");

	static final String NACKED = GatewayEndpoints.unique("lease-nacked");

	static final String SHORT = GatewayEndpoints.unique("lease-short");

	static final String BOUNDED = GatewayEndpoints.unique("lease-bounded");

	static final String OTHER = GatewayEndpoints.unique("lease-other");

	static final String LOST = GatewayEndpoints.unique("lease-lost");

	static final TcpProxy PROXY = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final JsonMapper mapper = JsonMapper.builder().build();

	@Autowired
	WebTestClient client;

	@Autowired
	GatewayInstance instance;

	@AfterAll
	static void cleanUp() {
		PROXY.close();
		TestBroker.delete(List.of(ACKED, NACKED, SHORT, BOUNDED, OTHER, LOST), EXCHANGE);
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		Map<String, Object> lost = consumer(LOST, EXCHANGE, "amqp.consumer.routing_key[0]", LOST);
		lost.put("host[0]", TestBroker.urlFor(PROXY.port()));
		new GatewayEndpoints().endpoint("/acked", consumer(ACKED, EXCHANGE, "amqp.consumer.routing_key[0]", ACKED))
			.endpoint("/nacked", consumer(NACKED, EXCHANGE, "amqp.consumer.routing_key[0]", NACKED))
			.endpoint("/short", consumer(SHORT, EXCHANGE, "amqp.consumer.routing_key[0]", SHORT))
			.endpoint("/bounded", consumer(BOUNDED, EXCHANGE, "amqp.consumer.routing_key[0]", BOUNDED))
			.endpoint("/other", consumer(OTHER, EXCHANGE, "amqp.consumer.routing_key[0]", OTHER))
			.endpoint("/lost", lost)
			.addTo(registry);
		for (int i = 0; i < 6; i++) {
			registry.add("gateway.endpoints[" + i + "].ack_mode", () -> "lease");
			registry.add("gateway.endpoints[" + i + "].timeout", () -> "10s");
		}
		registry.add("gateway.endpoints[2].lease_timeout", () -> "1s");
		registry.add("gateway.endpoints[3].max_leases", () -> "2");
		registry.add("gateway.lease.secret", () -> SECRET);
		registry.add("gateway.lease.instance", () -> "instance-a");
	}

	@Test
	void aLeasedMessageWaitsForItsAcknowledgementAndIsSettledOnce() {
		TestBroker.publish(EXCHANGE, ACKED, "{\"n\":1}");
		JsonNode answer = get("/acked");
		JsonNode message = answer.get("messages").get(0);
		assertThat(message.get("body").get("n").asInt()).isEqualTo(1);
		assertThat(answer.get("lease_expires_at").asString()).isNotEmpty();
		String receipt = message.get("receipt").asString();
		// written, and still unacknowledged: the client has not said it processed it
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(ACKED).unacknowledged() == 1);
		assertThat(outcomes("/acked/ack", "{\"receipts\": [\"" + receipt + "\"]}")).containsExactly("acked");
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(ACKED).total() == 0);
		assertThat(outcomes("/acked/ack", "{\"receipts\": [\"" + receipt + "\"]}")).containsExactly("gone");
	}

	@Test
	void aNackRequeuesOrRejects() {
		TestBroker.publish(EXCHANGE, NACKED, "{\"n\":1}");
		String first = get("/nacked").get("messages").get(0).get("receipt").asString();
		assertThat(outcomes("/nacked/nack", "{\"receipts\": [\"" + first + "\"], \"requeue\": true}"))
			.containsExactly("requeued");
		JsonNode again = get("/nacked").get("messages").get(0);
		assertThat(again.get("redelivered").asBoolean()).isTrue();
		assertThat(outcomes("/nacked/nack", "{\"receipts\": [\"" + again.get("receipt").asString()
				+ "\"], \"requeue\": false}")).containsExactly("rejected");
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(NACKED).total() == 0);
	}

	@Test
	void anExpiredLeaseIsRequeuedAndAnExtendedOneIsNot() {
		TestBroker.publish(EXCHANGE, SHORT, "{\"n\":1}");
		String expired = get("/short").get("messages").get(0).get("receipt").asString();
		JsonNode redelivered = get("/short").get("messages").get(0);
		assertThat(redelivered.get("redelivered").asBoolean()).isTrue();
		assertThat(outcomes("/short/ack", "{\"receipts\": [\"" + expired + "\"]}")).containsExactly("gone");
		String extended = redelivered.get("receipt").asString();
		JsonNode extension = post("/short/extend", "{\"receipts\": [\"" + extended + "\"], \"seconds\": 60}");
		assertThat(extension.get("receipts").get(0).get("outcome").asString()).isEqualTo("extended");
		// past the first lease's second, the message is still out on lease: nobody else gets it
		this.client.get().uri("/short?wait=2s").exchange().expectStatus().isNoContent();
		assertThat(outcomes("/short/ack", "{\"receipts\": [\"" + extended + "\"]}")).containsExactly("acked");
	}

	@Test
	void beyondMaxLeasesARequestIsRefusedAndTakesNothing() {
		for (int i = 0; i < 3; i++) {
			TestBroker.publish(EXCHANGE, BOUNDED, "{\"n\":" + i + "}");
		}
		List<String> receipts = new ArrayList<>();
		receipts.add(get("/bounded").get("messages").get(0).get("receipt").asString());
		receipts.add(get("/bounded").get("messages").get(0).get("receipt").asString());
		this.client.get().uri("/bounded").exchange()
			.expectStatus().isEqualTo(429)
			.expectHeader().exists("Retry-After")
			.expectBody().jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:too-many-leases");
		assertThat(outcomes("/bounded/ack", "{\"receipts\": [\"" + receipts.get(0) + "\"]}")).containsExactly("acked");
		// the refused request took nothing: the third message is the next one served, first time out
		JsonNode third = get("/bounded").get("messages").get(0);
		assertThat(third.get("body").get("n").asInt()).isEqualTo(2);
		assertThat(third.get("redelivered").asBoolean()).isFalse();
	}

	@Test
	void forgedTruncatedAndForeignReceiptsChangeNothing() {
		TestBroker.publish(EXCHANGE, OTHER, "{\"n\":1}");
		String receipt = get("/other").get("messages").get(0).get("receipt").asString();
		String forged = new Receipts(this.instance, "another-secret-of-at-least-32-characters", List.of())
			.issue("/other", 0, new LeaseBook.LeaseKey(1, 1));
		String truncated = receipt.substring(0, receipt.length() - 3);
		String tampered = receipt.replace('.', 'x');
		assertThat(outcomes("/other/ack", "{\"receipts\": [\"" + forged + "\", \"" + truncated + "\", \"" + tampered
				+ "\", 42]}")).containsExactly("invalid", "invalid", "invalid", "invalid");
		// a genuine receipt of another endpoint is no receipt of this one
		assertThat(outcomes("/acked/ack", "{\"receipts\": [\"" + receipt + "\"]}")).containsExactly("invalid");
		assertThat(TestBroker.depth(OTHER).unacknowledged()).isEqualTo(1);
		String elsewhere = new Receipts(new GatewayInstance("instance-b", "p"), SECRET, List.of())
			.issue("/other", 0, new LeaseBook.LeaseKey(1, 1));
		this.client.post().uri("/other/ack").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"receipts\": [\"" + receipt + "\", \"" + elsewhere + "\"]}")
			.exchange()
			.expectStatus().isEqualTo(421)
			.expectHeader().valueEquals("X-Gateway-Instance", "instance-a")
			.expectHeader().valueEquals("X-Gateway-Instance-Owner", "instance-b")
			.expectBody().jsonPath("$.owner").isEqualTo("instance-b");
		// nothing changed by the misdirected request: the genuine receipt still acknowledges
		assertThat(outcomes("/other/ack", "{\"receipts\": [\"" + receipt + "\"]}")).containsExactly("acked");
	}

	@Test
	void aLostChannelMakesItsReceiptsGoneAndTheBrokerHasTheMessagesAgain() {
		for (int i = 0; i < 5; i++) {
			TestBroker.publish(EXCHANGE, LOST, "{\"n\":" + i + "}");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(LOST).ready() == 5);
		JsonNode leased = get("/lost?max=5");
		List<String> receipts = new ArrayList<>();
		leased.get("messages").forEach((message) -> receipts.add(message.get("receipt").asString()));
		assertThat(receipts).hasSize(5);
		PROXY.cut();
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(LOST).ready() == 5);
		String all = String.join("\", \"", receipts);
		assertThat(outcomes("/lost/ack", "{\"receipts\": [\"" + all + "\"]}")).containsOnly("gone");
		// the gateway reconnects on its back-off; until then the endpoint answers 503
		List<JsonNode> again = new ArrayList<>();
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			again.addAll(Envelopes.messagesOf(this.client, "/lost?max=5&wait=500ms"));
			return again.size() == 5;
		});
		again.forEach((message) -> assertThat(message.get("redelivered").asBoolean()).isTrue());
	}

	private JsonNode get(String uri) {
		byte[] body = this.client.get().uri(uri).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-Gateway-Instance", "instance-a")
			.expectBody().returnResult().getResponseBody();
		JsonNode envelope = mapper.readTree(body);
		EnvelopeSchema.assertEnvelope(envelope);
		return envelope;
	}

	private JsonNode post(String uri, String json) {
		byte[] body = this.client.post().uri(uri).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange()
			.expectStatus().isOk()
			.expectBody().returnResult().getResponseBody();
		return mapper.readTree(body);
	}

	private List<String> outcomes(String uri, String json) {
		List<String> outcomes = new ArrayList<>();
		post(uri, json).get("receipts").forEach((receipt) -> outcomes.add(receipt.get("outcome").asString()));
		return outcomes;
	}

}
