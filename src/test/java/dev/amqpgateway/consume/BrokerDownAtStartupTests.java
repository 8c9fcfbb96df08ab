package dev.amqpgateway.consume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
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
 * A broker that is down when the gateway starts (SPEC §2, §5): the gateway starts anyway, answers
 * 503 at once, and connects, declares and serves as soon as the broker is reachable.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerDownAtStartupTests {

	static final TcpProxy BROKER = TcpProxy.to(TestBroker.host(), TestBroker.port()).refuse();

	static final String EXCHANGE = GatewayEndpoints.unique("startup-x");

	static final String QUEUE = GatewayEndpoints.unique("startup");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/late", consumer(QUEUE, EXCHANGE, "host[0]", "amqp://guest:guest@127.0.0.1:" + BROKER.port()))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "5s");
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	@AfterAll
	static void closeProxy() {
		BROKER.close();
	}

	@Autowired
	WebTestClient client;

	@Autowired
	Receivers receivers;

	@Test
	@Order(1)
	void startsAndAnswersServiceUnavailableAtOnceWhileTheBrokerIsDown() {
		assertThat(status().state()).isEqualTo(ConnectionState.RECONNECTING);
		assertThat(status().lastError()).isNotBlank();
		long start = System.nanoTime();
		this.client.get().uri("/late").exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().exists("Retry-After")
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:broker-unavailable")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains(QUEUE).doesNotContain("guest:"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
	}

	@Test
	@Order(2)
	void connectsDeclaresAndServesOnceTheBrokerIsReachable() {
		BROKER.open();
		await().atMost(Duration.ofSeconds(5)).until(() -> status().isUp());
		assertThat(TestBroker.admin().getQueueProperties(QUEUE)).isNotNull();
		MessageProperties properties = new MessageProperties();
		TestBroker.template().send(EXCHANGE, QUEUE,
				new Message("{\"late\": true}".getBytes(StandardCharsets.UTF_8), properties));
		this.client.get().uri("/late").exchange().expectStatus().isOk().expectBody().json("{\"late\": true}", true);
	}

	private BackendStatus status() {
		return this.receivers.backends().get(0).status();
	}

}
