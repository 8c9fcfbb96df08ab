package dev.amqpgateway.consume;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

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
 * A broker that hangs (accepts connections and never answers, so every attempt lasts the client's
 * whole handshake timeout) holds up neither requests nor the reconnects of other brokers, and its
 * backends share each attempt rather than wait out the timeout one after the other.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@DirtiesContext
class HungBrokerTests {

	static final String EXCHANGE = GatewayEndpoints.unique("hung-x");

	static final TcpProxy HUNG = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final TcpProxy HEALTHY = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final TcpProxy SHARED = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final List<String> HUNG_ENDPOINTS = List.of("/hung-0", "/hung-1", "/hung-2");

	static final List<String> SHARED_ENDPOINTS = List.of("/shared-0", "/shared-1", "/shared-2");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		GatewayEndpoints endpoints = new GatewayEndpoints();
		HUNG_ENDPOINTS.forEach((path) -> endpoints.endpoint(path, consumer(HUNG)));
		SHARED_ENDPOINTS.forEach((path) -> endpoints.endpoint(path, consumer(SHARED)));
		endpoints.endpoint("/healthy", consumer(HEALTHY));
		endpoints.addTo(registry);
		registry.add("gateway.timeout", () -> "5s");
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	static Map<String, Object> consumer(TcpProxy proxy) {
		Map<String, Object> consumer = GatewayEndpoints.consumer(GatewayEndpoints.unique("hung"), EXCHANGE);
		consumer.put("host[0]", "amqp://guest:guest@127.0.0.1:" + proxy.port());
		return consumer;
	}

	@AfterAll
	static void closeProxies() {
		Stream.of(HUNG, HEALTHY, SHARED).forEach(TcpProxy::close);
	}

	@Autowired
	WebTestClient client;

	@Autowired
	Receivers receivers;

	@Test
	void aHungBrokerHoldsUpNeitherRequestsNorTheReconnectsOfOtherBrokers() {
		HUNG.blackhole().cut();
		HEALTHY.refuse().cut();
		await().atMost(Duration.ofSeconds(1)).until(() -> HUNG.connections() == 1);
		long start = System.nanoTime();
		this.client.get().uri("/hung-0").exchange().expectStatus().isEqualTo(503);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
		HEALTHY.open();
		await().atMost(Duration.ofSeconds(2)).until(() -> status("/healthy").isUp());
		assertThat(HUNG_ENDPOINTS).allSatisfy((path) -> assertThat(status(path).isUp()).isFalse());
	}

	@Test
	void backendsOfAHungBrokerShareEachAttempt() {
		SHARED.blackhole().cut();
		long start = System.nanoTime();
		// One attempt lasts the 5s handshake timeout; one after the other, the third would fail after 15s.
		await().atMost(Duration.ofSeconds(8)).until(() -> SHARED_ENDPOINTS.stream()
			.allMatch((path) -> status(path).lastError() != null && status(path).lastError().contains("Timeout")));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(4));
		assertThat(SHARED.connections()).isLessThanOrEqualTo(1);
	}

	private BackendStatus status(String endpoint) {
		return this.receivers.backend(endpoint, 0).status();
	}

}
