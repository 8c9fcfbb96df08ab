package dev.amqpgateway.health;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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
 * No broker password in logs (debug included), problem bodies, health or actuator output,
 * through a whole lifecycle: start, serve, lose the broker, fail to authenticate, reconnect. The
 * broker user is the test's own, with a distinctive password that needs URL encoding.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"management.endpoints.web.exposure.include=health,env,configprops,metrics,prometheus",
		"management.endpoint.env.show-values=always", "management.endpoint.configprops.show-values=always",
		"logging.level.org.springframework.amqp=DEBUG", "logging.level.com.rabbitmq=DEBUG",
		"logging.level.dev.amqpgateway=DEBUG" })
@AutoConfigureWebTestClient(timeout = "60s")
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class BrokerSecretsIntegrationTests {

	static final String USER = GatewayEndpoints.unique("gw-user");

	static final String TOKEN = UUID.randomUUID().toString().replace("-", "").substring(0, 16);

	static final String PASSWORD = "Gw!" + TOKEN + "@:/#%";

	static final String ENCODED_PASSWORD = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);

	static final String EXCHANGE = GatewayEndpoints.unique("secrets-x");

	static final String QUEUE = GatewayEndpoints.unique("secrets");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		String host = "amqp://" + USER + ":" + ENCODED_PASSWORD + "@" + TestBroker.host() + ":" + TestBroker.port();
		new GatewayEndpoints()
			.endpoint("/secret", consumer(QUEUE, EXCHANGE, "amqp.consumer.routing_key[0]", QUEUE, "host[0]", host))
			.addTo(registry);
		// A message published before a request always reaches it, however busy the machine.
		registry.add("gateway.timeout", () -> "30s");
	}

	@BeforeAll
	static void aBrokerUserWithADistinctivePassword() {
		TestBroker.rabbitmqctl("add_user", USER, PASSWORD);
		TestBroker.rabbitmqctl("set_permissions", "-p", "/", USER, ".*", ".*", ".*");
	}

	@AfterAll
	static void deleteTheUser() {
		TestBroker.rabbitmqctl("delete_user", USER);
	}

	@Autowired
	WebTestClient client;

	@Test
	void noPasswordInLogsProblemsHealthOrActuatorThroughOutageAndReconnect(CapturedOutput output) {
		awaitBackendUp();
		TestBroker.publish(EXCHANGE, QUEUE, "{\"n\": 1}");
		this.client.get().uri("/secret").exchange().expectStatus().isOk().expectBody().json("{\"n\": 1}");

		// The broker drops the gateway's connection and refuses its password until it is restored.
		TestBroker.rabbitmqctl("change_password", USER, "other-" + UUID.randomUUID());
		assertThat(TestBroker.closeConnectionsOf(USER)).as("connections of " + USER).isPositive();
		await().untilAsserted(() -> assertThat(get("/actuator/health/gateway/secret/0")).contains("ACCESS_REFUSED"));
		String problem = this.client.get().uri("/secret").exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(problem).contains("urn:amqp-gateway:problem:broker-unavailable", USER);
		String healthDuringOutage = get("/actuator/health");

		TestBroker.rabbitmqctl("change_password", USER, PASSWORD);
		awaitBackendUp();
		TestBroker.publish(EXCHANGE, QUEUE, "{\"n\": 2}");
		this.client.get().uri("/secret").exchange().expectStatus().isOk().expectBody().json("{\"n\": 2}");

		assertThat(output.getAll()).contains("ACCESS_REFUSED");
		List<String> exposed = List.of(output.getAll(), problem, healthDuringOutage, get("/actuator/health"),
				get("/actuator/env"), get("/actuator/configprops"), get("/actuator/metrics"),
				get("/actuator/metrics/gateway.messages.acked"), get("/actuator/prometheus"));
		assertThat(exposed).allSatisfy((text) -> assertThat(text).doesNotContain(TOKEN)
			.doesNotContain(PASSWORD)
			.doesNotContain(ENCODED_PASSWORD));
	}

	@Test
	void envAndConfigpropsShowBrokerUrlsWithThePasswordMasked() {
		String masked = "amqp://" + USER + ":******@" + TestBroker.host() + ":" + TestBroker.port();
		assertThat(get("/actuator/env")).contains(masked);
		assertThat(get("/actuator/configprops")).contains(masked);
	}

	private void awaitBackendUp() {
		await().untilAsserted(() -> actuator().get().uri("/actuator/health/gateway/secret/0").exchange()
			.expectBody().jsonPath("$.details.state").isEqualTo("UP"));
	}

	private String get(String path) {
		WebTestClient client = path.startsWith("/actuator") ? actuator() : this.client;
		return client.get().uri(path).exchange().expectBody(String.class).returnResult().getResponseBody();
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
