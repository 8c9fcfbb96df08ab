package dev.amqpgateway.agent;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.support.GatewayAgents;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.HttpSink;
import dev.amqpgateway.support.HttpSink.Reply;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.MessageProperties;
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
 * Async agents against real HTTP servers started here: what each answer of a backend does to a
 * message, observed in the requests the server got and in the broker's queues. Each agent drains a
 * queue of its own; one agent's broker cannot be reached, and the others and the endpoint do not
 * notice.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class AsyncAgentIntegrationTests {

	static final int MAX_DELIVERIES = 3;

	static final HttpSink SINK = HttpSink.start();

	static final int LATE_PORT = freePort();

	static final String EXCHANGE = GatewayEndpoints.unique("agents-x");

	static final String DEAD_LETTERS = GatewayEndpoints.unique("agents-dlx");

	static final String DEAD_LETTER_QUEUE = GatewayEndpoints.unique("agents-dlq");

	static final String OK = GatewayEndpoints.unique("agent-ok");

	static final String FLAKY = GatewayEndpoints.unique("agent-flaky");

	static final String PARALLEL = GatewayEndpoints.unique("agent-parallel");

	static final String SLOW = GatewayEndpoints.unique("agent-slow");

	static final String LATE = GatewayEndpoints.unique("agent-late");

	static final String POISON = GatewayEndpoints.unique("agent-poison");

	static final String RATE = GatewayEndpoints.unique("agent-rate");

	static final String ORDERS = GatewayEndpoints.unique("agent-orders");

	static final Map<String, Integer> seen = new ConcurrentHashMap<>();

	@Autowired
	WebTestClient client;

	@BeforeAll
	static void deadLetterQueue() {
		TestBroker.declareDeadLetters(DEAD_LETTERS, DEAD_LETTER_QUEUE);
	}

	@AfterAll
	static void cleanUp() {
		SINK.close();
		TestBroker.delete(List.of(DEAD_LETTER_QUEUE, OK, FLAKY, PARALLEL, SLOW, LATE, POISON, RATE, ORDERS),
				DEAD_LETTERS, EXCHANGE);
	}

	@DynamicPropertySource
	static void agents(DynamicPropertyRegistry registry) {
		SINK.on("flaky", (request) -> Reply.status((seen.merge(request.body(), 1, Integer::sum) == 1) ? 500 : 200))
			.on("accepted", (request) -> Reply.status(202))
			.on("no-content", (request) -> Reply.status(204))
			.on("slow", (request) -> (seen.merge(request.body(), 1, Integer::sum) == 1)
					? Reply.after(Duration.ofSeconds(3), 200) : Reply.status(200))
			.on("poison", (request) -> Reply.status(500));
		new GatewayAgents().agent("ok", OK, EXCHANGE, List.of(SINK.url() + "/ok"))
			.agent("flaky", FLAKY, EXCHANGE, List.of(SINK.url() + "/flaky"))
			.agent("parallel", PARALLEL, EXCHANGE, List.of(SINK.url() + "/accepted", SINK.url() + "/no-content"))
			.agent("slow", SLOW, EXCHANGE, List.of(SINK.url() + "/slow"), "consumer.timeout", "300ms")
			.agent("late", LATE, EXCHANGE, List.of("http://127.0.0.1:" + LATE_PORT + "/late"))
			.agent("poison", POISON, EXCHANGE, List.of(SINK.url() + "/poison"),
					"amqp.queue_arguments.x-dead-letter-exchange", DEAD_LETTERS)
			.agent("rate", RATE, EXCHANGE, List.of(SINK.url() + "/rate"), "consumer.workers", "4",
					"consumer.max_rate", "5")
			.agent("unreachable-broker", GatewayEndpoints.unique("agent-nowhere"), EXCHANGE,
					List.of(SINK.url() + "/nowhere"), "amqp.host[0]", TestBroker.NOWHERE)
			.addTo(registry);
		new GatewayEndpoints().endpoint("/orders", consumer(ORDERS, EXCHANGE, "amqp.consumer.routing_key[0]", ORDERS))
			.addTo(registry);
		registry.add("gateway.max_deliveries", () -> MAX_DELIVERIES);
	}

	@Test
	void acceptedMessageIsAcknowledgedAndArrivesWithItsHeaders() {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId("m-ok");
		properties.setCorrelationId("c-ok");
		TestBroker.publish(EXCHANGE, OK, "{\"n\":1}", properties);
		await().atMost(Duration.ofSeconds(20)).until(() -> SINK.requests("ok").size() == 1);
		HttpSink.Request request = SINK.requests("ok").get(0);
		assertThat(request.method()).isEqualTo("POST");
		assertThat(request.body()).isEqualTo("{\"n\":1}");
		assertThat(request.headers().get("Content-Type")).isEqualTo("application/json");
		assertThat(request.headers().get("X-Amqp-Message-Id")).isEqualTo("m-ok");
		assertThat(request.headers().get("X-Amqp-Correlation-Id")).isEqualTo("c-ok");
		assertThat(request.headers().get("X-Amqp-Exchange")).isEqualTo(EXCHANGE);
		assertThat(request.headers().get("X-Amqp-Routing-Key")).isEqualTo(OK);
		assertThat(request.headers().get("X-Amqp-Redelivered")).isEqualTo("false");
		assertThat(request.headers().get("X-Amqp-Delivery-Count")).isEqualTo("1");
		await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(OK).total() == 0);
		assertThat(SINK.requests("ok")).hasSize(1);
	}

	@Test
	void refusedMessageIsRequeuedAfterTheBackOffAndAcknowledgedOnce() {
		TestBroker.publish(EXCHANGE, FLAKY, "{\"flaky\":1}");
		await().atMost(Duration.ofSeconds(20)).until(() -> SINK.requests("flaky").size() == 2);
		List<HttpSink.Request> requests = SINK.requests("flaky");
		assertThat(requests.get(1).headers().get("X-Amqp-Redelivered")).isEqualTo("true");
		assertThat(requests.get(1).headers().get("X-Amqp-Delivery-Count")).isEqualTo("2");
		// fallback, the default strategy, waits one second before the requeue
		assertThat(Duration.ofNanos(requests.get(1).arrivedNanos() - requests.get(0).arrivedNanos()))
			.isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(FLAKY).total() == 0);
		assertThat(SINK.requests("flaky")).hasSize(2);
		assertThat(meter("gateway.agent.sent", "agent:flaky")).isEqualTo(2);
		assertThat(meter("gateway.agent.requeued", "agent:flaky")).isEqualTo(1);
		assertThat(meter("gateway.agent.acked", "agent:flaky")).isEqualTo(1);
		assertThat(meter("gateway.agent.backend", "agent:flaky", "outcome:refused")).isEqualTo(1);
		assertThat(meter("gateway.agent.backend", "agent:flaky", "outcome:accepted")).isEqualTo(1);
	}

	@Test
	void acceptedAndNoContentFromTwoBackendsInParallelAcknowledge() {
		TestBroker.publish(EXCHANGE, PARALLEL, "{\"parallel\":1}");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> SINK.requests("accepted").size() == 1 && SINK.requests("no-content").size() == 1);
		await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(PARALLEL).total() == 0);
		assertThat(SINK.requests("accepted")).hasSize(1);
		assertThat(SINK.requests("no-content")).hasSize(1);
	}

	@Test
	void backendSlowerThanTheTimeoutHasTheMessageRequeued() {
		TestBroker.publish(EXCHANGE, SLOW, "{\"slow\":1}");
		await().atMost(Duration.ofSeconds(20)).until(() -> SINK.requests("slow").size() == 2);
		assertThat(SINK.requests("slow").get(1).headers().get("X-Amqp-Redelivered")).isEqualTo("true");
		await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(SLOW).total() == 0);
	}

	@Test
	void unreachableBackendPausesTheAgentWithoutCountingAgainstTheMessage() throws Exception {
		TestBroker.publish(EXCHANGE, LATE, "{\"late\":1}");
		// requeued at least twice while nobody listens, and still not rejected
		await().atMost(Duration.ofSeconds(30))
			.until(() -> actuator().get().uri("/actuator/health/agents/late").exchange()
				.expectBody(String.class).returnResult().getResponseBody(), (health) -> health.contains("pausedUntil"));
		try (HttpSink late = HttpSink.start(LATE_PORT)) {
			await().atMost(Duration.ofSeconds(60)).until(() -> late.requests("late").size() == 1);
			HttpSink.Request request = late.requests("late").get(0);
			assertThat(request.headers().get("X-Amqp-Redelivered")).isEqualTo("true");
			assertThat(request.headers().get("X-Amqp-Delivery-Count")).isEqualTo("1");
			await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(LATE).total() == 0);
		}
	}

	@Test
	void messageEveryBackendRefusesIsDeadLetteredAtTheLimit() {
		TestBroker.publish(EXCHANGE, POISON, "{\"poison\":1}");
		await().atMost(Duration.ofSeconds(30)).until(() -> TestBroker.depth(DEAD_LETTER_QUEUE).total() == 1);
		assertThat(SINK.requests("poison")).hasSize(MAX_DELIVERIES);
		assertThat(TestBroker.depth(POISON).total()).isZero();
	}

	@Test
	void maxRateHoldsWithinTenPercentOverFiveSeconds() {
		for (int i = 0; i < 60; i++) {
			TestBroker.publish(EXCHANGE, RATE, "{\"rate\":" + i + "}");
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> SINK.requests("rate").size() >= 5);
		long start = SINK.requests("rate").get(4).arrivedNanos();
		long end = start + Duration.ofSeconds(5).toNanos();
		await().atMost(Duration.ofSeconds(30)).until(() -> SINK.requests("rate").stream()
			.anyMatch((request) -> request.arrivedNanos() >= end));
		long inWindow = SINK.requests("rate").stream()
			.filter((request) -> request.arrivedNanos() >= start && request.arrivedNanos() < end)
			.count();
		assertThat(inWindow).isBetween(23L, 27L);
	}

	@Test
	void agentWhoseBrokerIsDownAffectsNeitherTheOtherAgentsNorTheEndpoints() {
		TestBroker.publish(EXCHANGE, ORDERS, "{\"order\":1}");
		this.client.get().uri("/orders").exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.order").isEqualTo(1);
		actuator().get().uri("/actuator/health/agents/unreachable-broker").exchange()
			.expectStatus().isEqualTo(503)
			.expectBody().jsonPath("$.status").isEqualTo("DOWN");
		actuator().get().uri("/actuator/health/agents/ok").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("UP").jsonPath("$.details.queue").isEqualTo(OK);
	}

	private double meter(String name, String... tags) {
		String body = actuator().get()
			.uri((uri) -> uri.path("/actuator/metrics/" + name).queryParam("tag", (Object[]) tags).build())
			.exchange()
			.expectStatus().isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		return JsonMapper.builder().build().readTree(body).get("measurements").get(0).get("value").asDouble();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
