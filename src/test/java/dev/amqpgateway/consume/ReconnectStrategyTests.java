package dev.amqpgateway.consume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reconnects follow the backend's strategy, counted from attempt 0 (SPEC §5), as the backend's
 * status and the {@code Retry-After} of its 503s tell; a cycle that gave up starts again on the
 * next request. The cap ({@code max_backoff}, 30s here) is long, so no timer interferes.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@DirtiesContext
class ReconnectStrategyTests {

	static final String EXCHANGE = GatewayEndpoints.unique("strategy-x");

	static final TcpProxy LINEAR = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final TcpProxy RETRY_AFTER = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final TcpProxy GIVES_UP = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final String GIVES_UP_QUEUE = GatewayEndpoints.unique("gives-up");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/linear", linear(LINEAR, GatewayEndpoints.unique("linear")))
			.endpoint("/retry-after", linear(RETRY_AFTER, GatewayEndpoints.unique("retry-after")))
			.endpoint("/gives-up", linear(GIVES_UP, GIVES_UP_QUEUE, "amqp.consumer.max_retries", "2"))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "5s");
		registry.add("gateway.max_backoff", () -> "30s");
	}

	static Map<String, Object> linear(TcpProxy proxy, String queue, Object... more) {
		Map<String, Object> consumer = GatewayEndpoints.consumer(queue, EXCHANGE, more);
		consumer.put("host[0]", "amqp://guest:guest@127.0.0.1:" + proxy.port());
		consumer.put("amqp.consumer.routing_key[0]", queue);
		consumer.put("amqp.consumer.backoff_strategy", "linear");
		return consumer;
	}

	@AfterAll
	static void closeProxies() {
		Stream.of(LINEAR, RETRY_AFTER, GIVES_UP).forEach(TcpProxy::close);
	}

	@Autowired
	WebTestClient client;

	@Autowired
	Receivers receivers;

	@Test
	void linearWaitsNothingBeforeAttemptZeroAndISecondsBeforeAttemptI() {
		LINEAR.refuse().cut();
		// Attempt 0 follows the loss at once, where fallback and exponential would wait a second.
		await().atMost(Duration.ofMillis(900)).pollInterval(Duration.ofMillis(10))
			.until(() -> waiting("/linear", 1) != null);
		assertThat(waiting("/linear", 1)).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
		await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
			.until(() -> waiting("/linear", 2) != null);
		assertThat(waiting("/linear", 2)).isGreaterThan(Duration.ofSeconds(1)).isLessThanOrEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void retryAfterAnnouncesTheNextAttempt() {
		RETRY_AFTER.refuse().cut();
		await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
			.until(() -> waiting("/retry-after", 2) != null);
		Instant next = status("/retry-after").nextAttempt();
		long latest = seconds(Duration.between(Instant.now(), next));
		String retryAfter = this.client.get().uri("/retry-after").exchange()
			.expectStatus().isEqualTo(503)
			.returnResult(String.class)
			.getResponseHeaders()
			.getFirst("Retry-After");
		long earliest = Math.max(1, seconds(Duration.between(Instant.now(), next)));
		assertThat(latest).isEqualTo(2);
		assertThat(Long.parseLong(retryAfter)).isBetween(earliest, latest);
	}

	@Test
	void aCycleThatGaveUpStartsAgainOnTheNextRequest() {
		GIVES_UP.refuse().cut();
		await().atMost(Duration.ofSeconds(3)).until(() -> status("/gives-up").state() == ConnectionState.GAVE_UP);
		assertThat(status("/gives-up").attempts()).isEqualTo(2);
		assertThat(status("/gives-up").nextAttempt()).isAfter(Instant.now().plusSeconds(20));
		GIVES_UP.open();
		// The request still finds the cycle given up, but starts a new one whose attempt 0 is due now.
		this.client.get().uri("/gives-up").exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().valueEquals("Retry-After", "1");
		await().atMost(Duration.ofSeconds(3)).until(() -> status("/gives-up").isUp());
		TestBroker.template().send(EXCHANGE, GIVES_UP_QUEUE,
				new Message("{\"again\": true}".getBytes(StandardCharsets.UTF_8), new MessageProperties()));
		this.client.get().uri("/gives-up").exchange().expectStatus().isOk().expectBody().json("{\"again\": true}");
	}

	private static long seconds(Duration wait) {
		return (wait.toMillis() + 999) / 1000;
	}

	/**
	 * How long the backend still waits before its next attempt, once it has made the given number.
	 */
	private Duration waiting(String endpoint, int attemptsMade) {
		BackendStatus status = status(endpoint);
		if (status.attempts() != attemptsMade || status.nextAttempt() == null) {
			return null;
		}
		return Duration.between(Instant.now(), status.nextAttempt());
	}

	private BackendStatus status(String endpoint) {
		return this.receivers.backend(endpoint, 0).status();
	}

}
