package dev.amqpgateway.http;

import java.time.Duration;
import java.time.Instant;

import dev.amqpgateway.broker.ChannelStatus;
import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.http.problem.ProblemTypes;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an endpoint answers when its backends fare differently: one message undecodable, every
 * broker down, one broker down and the other queue empty, and a lone backend with a group.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@DirtiesContext
class MultiBackendOutcomesIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("outcomes-x");

	static final String UNDECODABLE = GatewayEndpoints.unique("undecodable");

	static final String DECODABLE = GatewayEndpoints.unique("decodable");

	static final String STILL_EMPTY = GatewayEndpoints.unique("still-empty");

	static final String GROUPED = GatewayEndpoints.unique("lone-grouped");

	static final String SOONER_QUEUE = GatewayEndpoints.unique("sooner");

	/** The broker of the backend whose next attempt comes first; the test takes it down. */
	static final TcpProxy SOONER = TcpProxy.to(TestBroker.host(), TestBroker.port());

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/one-undecodable", consumer(UNDECODABLE, EXCHANGE, "amqp.consumer.routing_key[0]", UNDECODABLE),
					consumer(DECODABLE, EXCHANGE, "amqp.consumer.routing_key[0]", DECODABLE))
			.endpoint("/all-down",
					consumer(GatewayEndpoints.unique("later"), EXCHANGE, "host[0]", TestBroker.NOWHERE,
							"amqp.consumer.backoff_strategy", "exponential"),
					consumer(SOONER_QUEUE, EXCHANGE, "amqp.consumer.routing_key[0]", SOONER_QUEUE, "host[0]",
							TestBroker.urlFor(SOONER.port()), "amqp.consumer.backoff_strategy",
							"exponential"))
			.endpoint("/one-down-one-empty",
					consumer(GatewayEndpoints.unique("down"), EXCHANGE, "host[0]", TestBroker.NOWHERE),
					consumer(STILL_EMPTY, EXCHANGE, "amqp.consumer.routing_key[0]", STILL_EMPTY))
			.endpoint("/lone-grouped", consumer(GROUPED, EXCHANGE, "amqp.consumer.routing_key[0]", GROUPED,
					"group", "g"))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "500ms");
		// Consumers stay subscribed once a request came, so that messages can be at hand before one.
		registry.add("gateway.release_after", () -> "1h");
	}

	@AfterAll
	static void closeProxy() {
		SOONER.close();
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ConsumerBackends backends;

	@Autowired
	MeterRegistry meters;

	@Test
	void anUndecodableSiblingIsLeftOutAndRequeuedWhileTheGoodMessageIsServed() {
		// Nothing there yet: the request makes both backends consume.
		this.client.get().uri("/one-undecodable").exchange().expectStatus().isNoContent();
		TestBroker.publish(EXCHANGE, UNDECODABLE, "not json");
		TestBroker.publish(EXCHANGE, DECODABLE, "{\"good\": true}");
		await().untilAsserted(() -> assertThat(buffered("/one-undecodable", 0)).isOne());
		await().untilAsserted(() -> assertThat(buffered("/one-undecodable", 1)).isOne());
		double requeuedBefore = counter("gateway.messages.requeued", "/one-undecodable", 0);
		this.client.get().uri("/one-undecodable").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals(EndpointHandler.COMPLETED, "false")
			.expectBody().json("{\"good\": true}", true);
		await().untilAsserted(() -> assertThat(counter("gateway.messages.requeued", "/one-undecodable", 0))
			.isEqualTo(requeuedBefore + 1));
		assertThat(counter("gateway.messages.rejected", "/one-undecodable", 0)).isZero();
		// Requeued, the message came straight back to the gateway's consumer: on the broker, unacknowledged.
		await().untilAsserted(() -> assertThat(buffered("/one-undecodable", 0)).isOne());
		assertThat(TestBroker.depth(UNDECODABLE).total()).isOne();
		await().untilAsserted(() -> assertThat(TestBroker.depth(DECODABLE).total()).isZero());
	}

	@Test
	void everyBrokerDownAnswersServiceUnavailableRetryingAtTheEarliestNextAttempt() {
		// The later backend has been refused since startup: its waits double (1, 2, 4, 8, 16 s...).
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
			.until(() -> remaining("/all-down", 0) != null && remaining("/all-down", 0).toMillis() > 6000);
		// The sooner backend loses its broker now: its first waits are 1 s, then 2 s.
		SOONER.refuse().cut();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
			.until(() -> status("/all-down", 1).attempts() == 1 && remaining("/all-down", 1) != null
					&& remaining("/all-down", 1).toMillis() > 1500);
		long soonerAtMost = seconds(remaining("/all-down", 1));
		String retryAfter = this.client.get().uri("/all-down").exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo(ProblemTypes.BROKER_UNAVAILABLE.toString())
			.returnResult()
			.getResponseHeaders()
			.getFirst("Retry-After");
		long soonerAtLeast = Math.max(1, seconds(remaining("/all-down", 1)));
		long later = seconds(remaining("/all-down", 0));
		assertThat(later).isGreaterThan(soonerAtMost);
		assertThat(Long.parseLong(retryAfter)).isBetween(soonerAtLeast, soonerAtMost);
	}

	@Test
	void oneBrokerDownAndTheOtherQueueEmptyIsNoContent() {
		assertThat(status("/one-down-one-empty", 0).isUp()).isFalse();
		assertThat(status("/one-down-one-empty", 1).isUp()).isTrue();
		this.client.get().uri("/one-down-one-empty").exchange()
			.expectStatus().isNoContent()
			.expectHeader().valueEquals(EndpointHandler.COMPLETED, "false")
			.expectBody().isEmpty();
	}

	@Test
	void aLoneBackendWithAGroupIsNestedUnderIt() {
		TestBroker.publish(EXCHANGE, GROUPED, "{\"id\": 7, \"name\": \"seven\"}");
		this.client.get().uri("/lone-grouped").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals(EndpointHandler.COMPLETED, "true")
			.expectBody().json("{\"g\": {\"id\": 7, \"name\": \"seven\"}}", true);
	}

	private double counter(String name, String endpoint, int backend) {
		return this.meters.get(name)
			.tag("endpoint", endpoint)
			.tag("backend", String.valueOf(backend))
			.counter()
			.count();
	}

	private double buffered(String endpoint, int backend) {
		return this.meters.get("gateway.messages.buffered")
			.tag("endpoint", endpoint)
			.tag("backend", String.valueOf(backend))
			.gauge()
			.value();
	}

	private ChannelStatus status(String endpoint, int backend) {
		return this.backends.get(endpoint, backend).status();
	}

	/**
	 * How long the backend still waits before its next attempt, or null when none is scheduled.
	 */
	private Duration remaining(String endpoint, int backend) {
		Instant next = status(endpoint, backend).nextAttempt();
		return (next != null) ? Duration.between(Instant.now(), next) : null;
	}

	private static long seconds(Duration wait) {
		return (wait.toMillis() + 999) / 1000;
	}

}
