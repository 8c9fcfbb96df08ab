package dev.amqpgateway.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.amqpgateway.AmqpGatewayApplication;
import dev.amqpgateway.support.BrokerWide;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the lease cap is for, on a broker whose {@code consumer_timeout} is shortened to 10 s for
 * the test (and whose channels check it every second instead of every minute). Without the cap
 * (the gateway told the broker's timeout is the default 30 minutes), a lease that outlives the
 * broker's timeout makes the broker close the channel, and every lease on it is gone. With the cap
 * (the gateway told 10 s), the gateway requeues the expired lease itself, in time, and the channel
 * lives on.
 *
 * <p>Broker-wide: it changes {@code consumer_timeout} and {@code channel_tick_interval} of the whole
 * broker while it runs (new channels only), and sets them back after.
 */
@BrokerWide
class BrokerConsumerTimeoutIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("consumer-timeout-x");

	static final String QUEUE = GatewayEndpoints.unique("consumer-timeout");

	static final JsonMapper mapper = JsonMapper.builder().build();

	private final List<ConfigurableApplicationContext> gateways = new ArrayList<>();

	@BeforeAll
	static void shortenTheBrokersConsumerTimeout() {
		TestBroker.rabbitmqctl("eval", "application:set_env(rabbit, consumer_timeout, 10000).");
		TestBroker.rabbitmqctl("eval", "application:set_env(rabbit, channel_tick_interval, 1000).");
	}

	@AfterAll
	static void restoreTheBroker() {
		TestBroker.rabbitmqctl("eval", "application:set_env(rabbit, consumer_timeout, 1800000).");
		// A channel reads the interval when it opens and fails without one: set back, never unset.
		TestBroker.rabbitmqctl("eval", "application:set_env(rabbit, channel_tick_interval, 60000).");
		TestBroker.delete(List.of(QUEUE), EXCHANGE);
	}

	@AfterEach
	void stop() {
		this.gateways.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void withoutTheCapTheBrokerClosesTheChannelAndEveryLeaseOnItIsGone() {
		WebTestClient client = start("30m");
		TestBroker.publish(EXCHANGE, QUEUE, "{\"n\":1}");
		JsonNode first = take(client);
		long generation = generationOf(first.get("receipt").asString());
		// the broker's 10 s pass long before the gateway's 60 s lease: the broker closes the channel
		JsonNode again = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
			.until(() -> tryTake(client), (message) -> message != null);
		assertThat(again.get("redelivered").asBoolean()).isTrue();
		assertThat(generationOf(again.get("receipt").asString())).isGreaterThan(generation);
		assertThat(ack(client, first.get("receipt").asString())).isEqualTo("gone");
		assertThat(ack(client, again.get("receipt").asString())).isEqualTo("acked");
	}

	@Test
	void withTheCapTheGatewayRequeuesInTimeAndTheChannelLivesOn() {
		WebTestClient client = start("10s");
		TestBroker.publish(EXCHANGE, QUEUE, "{\"n\":2}");
		JsonNode first = take(client);
		long generation = generationOf(first.get("receipt").asString());
		JsonNode again = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
			.until(() -> tryTake(client), (message) -> message != null);
		assertThat(again.get("redelivered").asBoolean()).isTrue();
		// requeued by the gateway on the same channel: the broker closed nothing
		assertThat(generationOf(again.get("receipt").asString())).isEqualTo(generation);
		assertThat(ack(client, first.get("receipt").asString())).isEqualTo("gone");
		assertThat(ack(client, again.get("receipt").asString())).isEqualTo("acked");
	}

	private WebTestClient start(String brokerConsumerTimeout) {
		List<String> args = new ArrayList<>();
		new GatewayEndpoints().endpoint("/leases", consumer(QUEUE, EXCHANGE, "amqp.consumer.routing_key[0]", QUEUE))
			.properties()
			.forEach((name, value) -> args.add("--" + name + "=" + value));
		args.add("--gateway.endpoints[0].ack_mode=lease");
		args.add("--gateway.endpoints[0].lease_timeout=60s");
		args.add("--gateway.lease.secret=a-test-secret-of-at-least-32-characters");
		args.add("--gateway.lease.broker_consumer_timeout=" + brokerConsumerTimeout);
		args.add("--server.port=0");
		ConfigurableApplicationContext gateway = new SpringApplicationBuilder(AmqpGatewayApplication.class)
			.web(WebApplicationType.REACTIVE)
			.run(args.toArray(String[]::new));
		this.gateways.add(gateway);
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port"))
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	private static JsonNode take(WebTestClient client) {
		JsonNode message = tryTake(client);
		assertThat(message).isNotNull();
		return message;
	}

	private static JsonNode tryTake(WebTestClient client) {
		byte[] body = client.get().uri("/leases?wait=500ms").exchange().returnResult(byte[].class).getResponseBodyContent();
		if (body == null || body.length == 0) {
			return null;
		}
		JsonNode messages = mapper.readTree(body).path("messages");
		return messages.isEmpty() ? null : messages.get(0);
	}

	private static String ack(WebTestClient client, String receipt) {
		byte[] body = client.post().uri("/leases/ack").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"receipts\": [\"" + receipt + "\"]}")
			.exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
		return mapper.readTree(body).get("receipts").get(0).get("outcome").asString();
	}

	// The receipt's payload, before the signature: version, instance, process, endpoint, backend, generation, tag.
	private static long generationOf(String receipt) {
		String payload = new String(Base64.getUrlDecoder().decode(receipt.substring(0, receipt.indexOf('.'))),
				StandardCharsets.UTF_8);
		return Long.parseLong(payload.split("\n")[5]);
	}

}
