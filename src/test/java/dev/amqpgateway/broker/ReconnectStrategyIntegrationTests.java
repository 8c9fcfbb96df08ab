package dev.amqpgateway.broker;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reconnects follow the backend's strategy, counted from attempt 0, as the attempts reaching the
 * broker and the {@code Retry-After} of its 503s tell; a cycle that gave up starts again on the
 * next request. The cap ({@code max_backoff}, 30s here) is long, so no timer interferes.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@DirtiesContext
class ReconnectStrategyIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("strategy-x");

	static final TcpProxy LINEAR = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final TcpProxy RETRY_AFTER = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final TcpProxy GIVES_UP = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final String GIVES_UP_QUEUE = GatewayEndpoints.unique("gives-up");

	// The proxy notes an attempt on its own thread, the gateway plans it on another: allow for rounding.
	static final Duration CLOCK_GRAIN = Duration.ofMillis(10);

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
		consumer.put("host[0]", TestBroker.urlFor(proxy.port()));
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
	ConsumerBackends backends;

	@Test
	void linearWaitsNothingBeforeAttemptZeroAndISecondsBeforeAttemptI() {
		int before = LINEAR.accepted().size();
		Instant cut = Instant.now();
		LINEAR.refuse().cut();
		await().atMost(Duration.ofSeconds(30)).until(() -> LINEAR.accepted().size() >= before + 4);
		List<Instant> attempts = LINEAR.accepted().subList(before, before + 4);
		for (int i = 0; i < attempts.size(); i++) {
			// Attempt i waits i seconds from the loss (attempt 0) or from the failure of the attempt
			// before, which the broker refuses at once: never less, and only a busy machine makes it
			// later, by far less than the next second. Fallback and exponential would wait a second
			// before attempt 0; fallback's waits would not grow, exponential's would double.
			Duration gap = Duration.between((i > 0) ? attempts.get(i - 1) : cut, attempts.get(i));
			assertThat(gap).as("wait before attempt %d", i)
				.isGreaterThanOrEqualTo(Duration.ofSeconds(i).minus(CLOCK_GRAIN))
				.isLessThan(Duration.ofSeconds(i + 1));
		}
	}

	@Test
	void retryAfterAnnouncesTheNextAttempt() {
		// The first request of a context is slow (classes load): not the one that must beat the next attempt.
		actuator().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
		RETRY_AFTER.refuse().cut();
		await().until(() -> status("/retry-after").attempts() >= 3 && status("/retry-after").nextAttempt() != null);
		// Look again while an attempt comes between the two looks at the status: the header then
		// may announce either attempt.
		AtomicReference<Announcement> announced = new AtomicReference<>();
		await().until(() -> {
			announced.set(announce("/retry-after"));
			return announced.get().nextAttempt() != null;
		});
		Announcement announcement = announced.get();
		// Whole seconds to the planned attempt, rounded up, as seen at some moment between asking and answering.
		long latest = seconds(Duration.between(announcement.asked(), announcement.nextAttempt()));
		long earliest = seconds(Duration.between(announcement.answered(), announcement.nextAttempt()));
		assertThat(announcement.retryAfter()).isBetween(Math.max(1, earliest), Math.max(1, latest));
	}

	@Test
	void aCycleThatGaveUpStartsAgainOnTheNextRequest() {
		GIVES_UP.refuse().cut();
		await().until(() -> status("/gives-up").state() == ConnectionState.GAVE_UP);
		assertThat(status("/gives-up").attempts()).isEqualTo(2);
		assertThat(status("/gives-up").nextAttempt()).isAfter(Instant.now().plusSeconds(20));
		GIVES_UP.open();
		// The request still finds the cycle given up, but starts a new one whose attempt 0 is due now.
		this.client.get().uri("/gives-up").exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().valueEquals("Retry-After", "1");
		await().until(() -> status("/gives-up").isUp());
		TestBroker.publish(EXCHANGE, GIVES_UP_QUEUE, "{\"again\": true}");
		this.client.get().uri("/gives-up").exchange().expectStatus().isOk().expectBody().json("{\"again\": true}");
	}

	private static long seconds(Duration wait) {
		return (wait.toMillis() + 999) / 1000;
	}

	/**
	 * Ask an endpoint whose broker is down, and note the backend's planned attempt around it.
	 */
	private Announcement announce(String endpoint) {
		ChannelStatus before = status(endpoint);
		Instant asked = Instant.now();
		String retryAfter = this.client.get().uri(endpoint).exchange()
			.expectStatus().isEqualTo(503)
			.returnResult(String.class)
			.getResponseHeaders()
			.getFirst("Retry-After");
		Instant answered = Instant.now();
		ChannelStatus after = status(endpoint);
		boolean undisturbed = before.attempts() == after.attempts() && before.nextAttempt() != null
				&& before.nextAttempt().equals(after.nextAttempt());
		return new Announcement(undisturbed ? before.nextAttempt() : null, asked, answered,
				Long.parseLong(retryAfter));
	}

	private ChannelStatus status(String endpoint) {
		return this.backends.get(endpoint, 0).status();
	}

	/**
	 * A {@code Retry-After} and the attempt the backend planned while it was asked for.
	 *
	 * @param nextAttempt the planned attempt, or null when an attempt came meanwhile
	 * @param asked when the request was sent
	 * @param answered when the answer came
	 * @param retryAfter the header's seconds
	 */
	private record Announcement(@Nullable Instant nextAttempt, Instant asked, Instant answered, long retryAfter) {
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
