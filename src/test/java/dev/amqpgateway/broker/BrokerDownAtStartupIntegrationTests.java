package dev.amqpgateway.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
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
 * A broker that is down when the gateway starts: the gateway starts anyway, says why on health and
 * in its 503s, answers them at once, and connects, declares and serves as soon as the broker is
 * reachable.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerDownAtStartupIntegrationTests {

	// Requests may wait 30s: an answer well before that did not wait for a message.
	static final Duration AT_ONCE = Duration.ofSeconds(10);

	// Bound and never listening: connections to the port are refused, as by a broker that is not
	// running, and nothing else can take the port until the broker's proxy listens on it.
	static final Socket DOWN = reservePort();

	static final int PORT = DOWN.getLocalPort();

	static final String EXCHANGE = GatewayEndpoints.unique("startup-x");

	static final String QUEUE = GatewayEndpoints.unique("startup");

	// What the client says when nothing listens on the broker's port.
	static final String REFUSED = "Connection refused";

	// The broker once it is up: a proxy to the test broker on the port that refused until then.
	static @Nullable TcpProxy broker;

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/late", consumer(QUEUE, EXCHANGE, "host[0]", TestBroker.urlFor(PORT)))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "30s");
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	@AfterAll
	static void closeBroker() throws IOException {
		DOWN.close();
		if (broker != null) {
			broker.close();
		}
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ConsumerBackends backends;

	@Test
	@Order(1)
	void startsAndAnswersServiceUnavailableAtOnceWhileTheBrokerIsDown() {
		assertThat(status().state()).isEqualTo(ConnectionState.RECONNECTING);
		actuator().get().uri("/actuator/health/gateway/late/0").exchange()
			.expectStatus().isEqualTo(503)
			.expectBody()
			.jsonPath("$.details.lastError").value((String error) -> assertThat(error).contains(REFUSED));
		long start = System.nanoTime();
		this.client.get().uri("/late").exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().exists("Retry-After")
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:broker-unavailable")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains(QUEUE, REFUSED)
				.doesNotContain("guest:"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(AT_ONCE);
	}

	@Test
	@Order(2)
	void connectsDeclaresAndServesOnceTheBrokerIsReachable() throws IOException {
		broker = TcpProxy.to(TestBroker.host(), TestBroker.port(), PORT);
		DOWN.close();
		await().until(() -> status().isUp());
		assertThat(TestBroker.admin().getQueueProperties(QUEUE)).isNotNull();
		TestBroker.publish(EXCHANGE, QUEUE, "{\"late\": true}");
		this.client.get().uri("/late").exchange().expectStatus().isOk().expectBody().json("{\"late\": true}", true);
	}

	private ChannelStatus status() {
		return this.backends.all().get(0).status();
	}

	private static Socket reservePort() {
		try {
			Socket socket = new Socket();
			// So that the broker's proxy can listen on the port while it is still held.
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			return socket;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
