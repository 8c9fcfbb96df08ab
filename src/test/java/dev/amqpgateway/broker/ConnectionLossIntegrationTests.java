package dev.amqpgateway.broker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.support.BackendLog;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection lost while the gateway runs: noticed at once, requests answered at once during the
 * outage, reconnected in the background, topology declared again. Every test has a broker (a
 * proxy) of its own, so that its faults touch no other test.
 *
 * <p>Reconnects come every half second here, so a backend is down only briefly: what happened
 * during the outage is read from the log, which keeps it, rather than from the backend's status,
 * which a reconnect may already have changed.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class ConnectionLossIntegrationTests {

	// Requests may wait 30s: an answer well before that came from the loss, not from the timeout.
	static final Duration AT_ONCE = Duration.ofSeconds(10);

	static final String EXCHANGE = GatewayEndpoints.unique("loss-x");

	static final ProxiedBroker CUT = new ProxiedBroker("cut");

	static final ProxiedBroker WAITING = new ProxiedBroker("waiting");

	static final ProxiedBroker POLLING = new ProxiedBroker("polling");

	static final ProxiedBroker LOST_QUEUE = new ProxiedBroker("lost-queue");

	static final ProxiedBroker DELETED = new ProxiedBroker("deleted");

	static final ProxiedBroker FORCED = new ProxiedBroker("forced");

	static final ProxiedBroker GIVE_UP = new ProxiedBroker("give-up");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/cut", CUT.consumer())
			.endpoint("/waiting", WAITING.consumer())
			.endpoint("/polling", POLLING.consumer("amqp.consumer.auto_ack", "true"))
			// Auto-delete: the broker deletes queue and exchange when the gateway's connection goes.
			.endpoint("/lost-queue", consumer(LOST_QUEUE.queue, LOST_QUEUE.queue, "host[0]", LOST_QUEUE.url(),
					"amqp.consumer.delete", "true"))
			.endpoint("/deleted", DELETED.consumer())
			.endpoint("/forced", FORCED.consumer())
			.endpoint("/give-up", GIVE_UP.consumer("amqp.consumer.max_retries", "2"))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "30s");
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	@AfterAll
	static void closeProxies() {
		Stream.of(CUT, WAITING, POLLING, LOST_QUEUE, DELETED, FORCED, GIVE_UP).forEach((broker) -> broker.proxy.close());
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ConsumerBackends backends;

	@Autowired
	MeterRegistry registry;

	@Test
	void noticesACutAtOnceAndAnswersServiceUnavailableAtOnceUntilTheBrokerIsBack(CapturedOutput output) {
		CUT.proxy.refuse().cut();
		// No request asks: the gateway notices the loss by itself.
		await().atMost(AT_ONCE).untilAsserted(() -> assertThat(BackendLog.ofEndpoint(output, "/cut"))
			.containsPattern("Lost the broker: .*: connection lost"));
		assertThat(isUp("/cut")).isFalse();
		long start = System.nanoTime();
		this.client.get().uri("/cut").exchange().expectStatus().isEqualTo(503).expectHeader().exists("Retry-After");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(AT_ONCE);
		CUT.proxy.open();
		await().until(() -> isUp("/cut"));
		TestBroker.publish(EXCHANGE, CUT.queue, "{\"back\": true}");
		this.client.get().uri("/cut").exchange().expectStatus().isOk().expectBody().json("{\"back\": true}", true);
	}

	@Test
	void answersAWaitingRequestAtOnceWhenTheConnectionDrops() throws Exception {
		assertWaitingRequestAnsweredAtOnce("/waiting", WAITING);
	}

	@Test
	void answersAWaitingPollAtOnceWhenTheConnectionDrops() throws Exception {
		assertWaitingRequestAnsweredAtOnce("/polling", POLLING);
	}

	@Test
	void declaresTheTopologyTheBrokerLostWhenItReconnects() {
		LOST_QUEUE.proxy.refuse().cut();
		await().until(() -> TestBroker.admin().getQueueProperties(LOST_QUEUE.queue) == null);
		LOST_QUEUE.proxy.open();
		await().until(() -> isUp("/lost-queue"));
		assertThat(TestBroker.admin().getQueueProperties(LOST_QUEUE.queue)).isNotNull();
		TestBroker.publish(LOST_QUEUE.queue, LOST_QUEUE.queue, "{\"declared\": \"again\"}");
		this.client.get().uri("/lost-queue").exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"declared\": \"again\"}", true);
	}

	@Test
	void declaresAQueueDeletedUnderTheConsumerAgain() {
		int connections = DELETED.proxy.forwarded();
		TestBroker.admin().deleteQueue(DELETED.queue);
		// Only the gateway declares the queue again, and only once it noticed the deletion.
		await().atMost(AT_ONCE).until(() -> TestBroker.admin().getQueueProperties(DELETED.queue) != null
				&& isUp("/deleted"));
		assertThat(DELETED.proxy.forwarded()).as("the connection survived").isEqualTo(connections);
		TestBroker.publish(EXCHANGE, DELETED.queue, "{\"deleted\": false}");
		this.client.get().uri("/deleted").exchange().expectStatus().isOk().expectBody().json("{\"deleted\": false}");
	}

	@Test
	void reconnectsWhenTheBrokerClosesTheConnection(CapturedOutput output) {
		assertThat(FORCED.proxy.upstreamPorts()).hasSize(1);
		int connections = FORCED.proxy.forwarded();
		assertThat(TestBroker.closeConnectionsFrom(FORCED.proxy.upstreamPorts().get(0))).isOne();
		await().atMost(AT_ONCE).untilAsserted(() -> assertThat(BackendLog.ofEndpoint(output, "/forced"))
			.containsPattern("Lost the broker: .*: 320 CONNECTION_FORCED"));
		await().until(() -> FORCED.proxy.forwarded() > connections && isUp("/forced"));
		TestBroker.publish(EXCHANGE, FORCED.queue, "{\"forced\": true}");
		this.client.get().uri("/forced").exchange().expectStatus().isOk().expectBody().json("{\"forced\": true}");
	}

	@Test
	void aCycleThatGaveUpStartsAgainOnItsTimer(CapturedOutput output) {
		GIVE_UP.proxy.refuse().cut();
		await().untilAsserted(() -> assertThat(BackendLog.ofEndpoint(output, "/give-up"))
			.containsPattern("Cannot consume: .*; gave up after 2 attempts; next cycle at \\S+"));
		GIVE_UP.proxy.open();
		// No request wakes it: the give-up pause (max_backoff) ends and a new cycle connects.
		await().until(() -> isUp("/give-up"));
		assertThat(BackendLog.ofEndpoint(output, "/give-up")).contains("Reconnecting again, since its pause is over");
	}

	private void assertWaitingRequestAnsweredAtOnce(String path, ProxiedBroker broker) throws Exception {
		CompletableFuture<EntityExchangeResult<String>> response = CompletableFuture
			.supplyAsync(() -> this.client.get().uri(path).exchange().expectBody(String.class).returnResult());
		await().until(() -> waiting(path) == 1);
		long cut = System.nanoTime();
		broker.proxy.refuse().cut();
		EntityExchangeResult<String> result = response.get(60, TimeUnit.SECONDS);
		assertThat(Duration.ofNanos(System.nanoTime() - cut)).isLessThan(AT_ONCE);
		assertThat(result.getStatus().value()).isEqualTo(503);
		assertThat(result.getResponseBody()).contains("urn:amqp-gateway:problem:broker-unavailable");
		broker.proxy.open();
		await().until(() -> isUp(path));
	}

	private boolean isUp(String endpoint) {
		return this.backends.get(endpoint, 0).status().isUp();
	}

	private double waiting(String endpoint) {
		return this.registry.get("gateway.requests.waiting").tag("endpoint", endpoint).gauge().value();
	}

	/**
	 * A broker of its own for one test: a proxy to the test broker and a queue behind it.
	 */
	static final class ProxiedBroker {

		final TcpProxy proxy = TcpProxy.to(TestBroker.host(), TestBroker.port());

		final String queue;

		ProxiedBroker(String name) {
			this.queue = GatewayEndpoints.unique(name);
		}

		String url() {
			return TestBroker.urlFor(this.proxy.port());
		}

		Map<String, Object> consumer(Object... more) {
			Map<String, Object> values = GatewayEndpoints.consumer(this.queue, EXCHANGE, more);
			values.put("host[0]", url());
			values.put("amqp.consumer.routing_key[0]", this.queue);
			return values;
		}

	}

}
