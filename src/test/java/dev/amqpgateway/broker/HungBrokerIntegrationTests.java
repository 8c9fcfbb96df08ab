package dev.amqpgateway.broker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
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
 * A broker that hangs (accepts connections and never answers, so every attempt lasts the client's
 * whole handshake timeout) holds up neither requests nor the reconnects of other brokers, and its
 * backends share each attempt rather than wait out the timeout one after the other.
 *
 * <p>What happened while an attempt hung is told by the backend's last error, which still names
 * the cut until that attempt times out: an answer or a reconnect that comes while it does was not
 * held up by the attempt.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
@DirtiesContext
class HungBrokerIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("hung-x");

	static final TcpProxy HUNG = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final TcpProxy HEALTHY = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final TcpProxy SHARED = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final List<String> HUNG_ENDPOINTS = List.of("/hung-0", "/hung-1", "/hung-2");

	static final List<String> SHARED_ENDPOINTS = List.of("/shared-0", "/shared-1", "/shared-2");

	// What a backend's last error says after a cut, until its next attempt ends.
	static final String CUT_REASON = "connection lost";

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		GatewayEndpoints endpoints = new GatewayEndpoints();
		HUNG_ENDPOINTS.forEach((path) -> endpoints.endpoint(path, consumer(HUNG)));
		// One attempt per cycle, then a pause of max_backoff: the proxy counts the attempts.
		SHARED_ENDPOINTS
			.forEach((path) -> endpoints.endpoint(path, consumer(SHARED, "amqp.consumer.max_retries", "1")));
		// Linear: attempt 0 follows a loss at once.
		endpoints.endpoint("/healthy", consumer(HEALTHY, "amqp.consumer.backoff_strategy", "linear"));
		endpoints.addTo(registry);
		registry.add("gateway.timeout", () -> "30s");
		registry.add("gateway.max_backoff", () -> "30s");
	}

	static Map<String, Object> consumer(TcpProxy proxy, Object... more) {
		Map<String, Object> consumer = GatewayEndpoints.consumer(GatewayEndpoints.unique("hung"), EXCHANGE, more);
		consumer.put("host[0]", TestBroker.urlFor(proxy.port()));
		return consumer;
	}

	@AfterAll
	static void closeProxies() {
		Stream.of(HUNG, HEALTHY, SHARED).forEach(TcpProxy::close);
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ConsumerBackends backends;

	@Test
	void aHungBrokerHoldsUpNeitherRequestsNorTheReconnectsOfOtherBrokers() {
		// The first request of a context is slow (classes load): not the one that must beat the attempt.
		actuator().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
		HUNG.blackhole().cut();
		await().until(() -> HUNG.connections() == 1);
		this.client.get().uri("/hung-0").exchange()
			.expectStatus().isEqualTo(503)
			.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail).contains(CUT_REASON));
		int connections = HEALTHY.forwarded();
		HEALTHY.cut();
		await().until(() -> HEALTHY.forwarded() > connections && status("/healthy").isUp());
		assertThat(HUNG_ENDPOINTS).allSatisfy((path) -> {
			assertThat(status(path).isUp()).isFalse();
			assertThat(status(path).lastError()).as("the hung attempt has not timed out yet").contains(CUT_REASON);
		});
	}

	@Test
	void backendsOfAHungBrokerShareEachAttempt() {
		int attempts = SHARED.accepted().size();
		SHARED.blackhole().cut();
		// Taking turns, each backend would wait out an attempt of its own: three, one after the other.
		await().atMost(Duration.ofSeconds(30)).until(() -> SHARED_ENDPOINTS.stream()
			.allMatch((path) -> status(path).state() == ConnectionState.GAVE_UP));
		assertThat(SHARED_ENDPOINTS).allSatisfy((path) -> assertThat(status(path).lastError()).contains("Timeout"));
		assertThat(SHARED.accepted()).hasSize(attempts + 1);
	}

	private ChannelStatus status(String endpoint) {
		return this.backends.get(endpoint, 0).status();
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
