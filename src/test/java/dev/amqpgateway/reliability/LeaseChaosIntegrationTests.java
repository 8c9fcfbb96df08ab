package dev.amqpgateway.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.amqpgateway.support.Envelopes;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
 * A thousand messages on lease when the gateway's broker connection is cut (through a proxy, so
 * other clients of the broker are left alone): the receipts of the lost channel answer {@code gone},
 * the broker hands those messages out again, and every message ends acknowledged or redelivered —
 * none lost.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class LeaseChaosIntegrationTests {

	static final int MESSAGES = 1_000;

	static final String EXCHANGE = GatewayEndpoints.unique("lease-chaos-x");

	static final String QUEUE = GatewayEndpoints.unique("lease-chaos");

	static final TcpProxy PROXY = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final JsonMapper mapper = JsonMapper.builder().build();

	@Autowired
	WebTestClient client;

	@AfterAll
	static void cleanUp() {
		PROXY.close();
		TestBroker.delete(List.of(QUEUE), EXCHANGE);
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		Map<String, Object> backend = consumer(QUEUE, EXCHANGE, "amqp.consumer.routing_key[0]", QUEUE,
				"amqp.consumer.durable", "true");
		backend.put("host[0]", TestBroker.urlFor(PROXY.port()));
		new GatewayEndpoints().endpoint("/leases", backend).timeout("5s").addTo(registry);
		registry.add("gateway.endpoints[0].ack_mode", () -> "lease");
		registry.add("gateway.endpoints[0].max_batch", () -> "100");
		registry.add("gateway.endpoints[0].lease_timeout", () -> "5m");
		registry.add("gateway.lease.secret", () -> "a-test-secret-of-at-least-32-characters");
	}

	@Test
	void everyLeasedMessageEndsAcknowledgedOrRedeliveredWhenTheChannelIsLost() {
		for (int i = 0; i < MESSAGES; i++) {
			MessageProperties properties = new MessageProperties();
			properties.setMessageId("m-" + i);
			TestBroker.publish(EXCHANGE, QUEUE, "{\"n\":" + i + "}", properties);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> TestBroker.depth(QUEUE).ready() == MESSAGES);
		Map<String, String> receipts = new LinkedHashMap<>();
		while (receipts.size() < MESSAGES) {
			for (JsonNode message : get("/leases?max=100").path("messages")) {
				receipts.put(message.get("message_id").asString(), message.get("receipt").asString());
			}
		}
		List<String> ids = new ArrayList<>(receipts.keySet());
		Map<String, String> outcomes = new HashMap<>(ack(ids.subList(0, MESSAGES / 2), receipts));
		assertThat(outcomes.values()).containsOnly("acked");
		PROXY.cut();
		outcomes.putAll(ack(ids.subList(MESSAGES / 2, MESSAGES), receipts));
		assertThat(outcomes.values()).containsAnyOf("gone").doesNotContain("invalid");

		// Everything that comes back, after the gateway reconnects, is acknowledged anew.
		Set<String> redelivered = new HashSet<>();
		await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).until(() -> {
			Map<String, String> again = new LinkedHashMap<>();
			Envelopes.messagesOf(this.client, "/leases?max=100&wait=500ms").forEach((message) -> {
				assertThat(message.get("redelivered").asBoolean()).isTrue();
				again.put(message.get("message_id").asString(), message.get("receipt").asString());
			});
			redelivered.addAll(again.keySet());
			assertThat(again.isEmpty() || ack(new ArrayList<>(again.keySet()), again).values().stream()
				.allMatch("acked"::equals)).isTrue();
			return TestBroker.depth(QUEUE).total() == 0;
		});
		Set<String> gone = new HashSet<>();
		outcomes.forEach((id, outcome) -> {
			if (outcome.equals("gone")) {
				gone.add(id);
			}
		});
		assertThat(redelivered).containsAll(gone);
		Set<String> ended = new HashSet<>(redelivered);
		outcomes.forEach((id, outcome) -> {
			if (outcome.equals("acked")) {
				ended.add(id);
			}
		});
		assertThat(ended).hasSize(MESSAGES);
		System.out.println("lease chaos: " + gone.size() + " receipts gone, " + redelivered.size()
				+ " redelivered, " + (redelivered.size() - gone.size()) + " redelivered although acknowledged");
	}

	private Map<String, String> ack(List<String> ids, Map<String, String> receipts) {
		Map<String, String> outcomes = new LinkedHashMap<>();
		for (int from = 0; from < ids.size(); from += 100) {
			List<String> batch = ids.subList(from, Math.min(ids.size(), from + 100));
			String body = "{\"receipts\": [\"" + String.join("\", \"", batch.stream().map(receipts::get).toList())
					+ "\"]}";
			JsonNode answer = mapper.readTree(this.client.post().uri("/leases/ack")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body)
				.exchange()
				.expectStatus().isOk()
				.expectBody().returnResult().getResponseBody());
			for (int i = 0; i < batch.size(); i++) {
				outcomes.put(batch.get(i), answer.get("receipts").get(i).get("outcome").asString());
			}
		}
		return outcomes;
	}

	private JsonNode get(String uri) {
		return mapper.readTree(this.client.get().uri(uri).exchange()
			.expectStatus().isOk()
			.expectBody().returnResult().getResponseBody());
	}

}
