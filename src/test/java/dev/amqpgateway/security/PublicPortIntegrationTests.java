package dev.amqpgateway.security;

import java.time.Duration;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the public port answers: the endpoints, with CORS as {@code gateway.cors} allows it, and
 * never the actuator, which answers on the management port only, without credentials; Boot's
 * security auto-configuration adds no filter chain or default user to either port.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class PublicPortIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("public-x");

	static final String QUEUE = GatewayEndpoints.unique("public");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints().endpoint("/orders", consumer(QUEUE, EXCHANGE)).timeout("100ms").addTo(registry);
		registry.add("gateway.endpoints[0].auth.jwk_url", () -> "https://idp.example.com/jwks.json");
		registry.add("gateway.cors.allow_origins[0]", () -> "https://app.example.com");
		registry.add("gateway.cors.allow_methods[0]", () -> "GET");
		registry.add("gateway.cors.allow_headers[0]", () -> "Authorization");
		registry.add("gateway.cors.expose_headers[0]", () -> "X-Gateway-Completed");
		registry.add("gateway.cors.max_age", () -> "12h");
		registry.add("gateway.cors.allow_credentials", () -> true);
	}

	@AfterAll
	static void deleteQueue() {
		TestBroker.delete(java.util.List.of(QUEUE), EXCHANGE);
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ApplicationContext context;

	@LocalServerPort
	int serverPort;

	@LocalManagementPort
	int managementPort;

	@Test
	void aPreflightFromAnAllowedOriginIsAnsweredWithoutAToken() {
		this.client.options().uri("/orders")
			.header(HttpHeaders.ORIGIN, "https://app.example.com")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "Authorization")
			.exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "https://app.example.com")
			.expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "GET")
			.expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization")
			.expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true")
			.expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "43200");
	}

	@Test
	void aPreflightFromAnotherOriginOrForAnotherMethodIsRefused() {
		this.client.options().uri("/orders")
			.header(HttpHeaders.ORIGIN, "https://evil.example.com")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
			.exchange()
			.expectStatus().isForbidden()
			.expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
		this.client.options().uri("/orders")
			.header(HttpHeaders.ORIGIN, "https://app.example.com")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "DELETE")
			.exchange()
			.expectStatus().isForbidden();
	}

	@Test
	void aRefusalCarriesTheCorsHeadersSoThePageCanReadIt() {
		this.client.get().uri("/orders").header(HttpHeaders.ORIGIN, "https://app.example.com").exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "https://app.example.com")
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void bootBuildsNoSecurityFilterChainNorDefaultUser(CapturedOutput output) {
		assertThat(this.context.getBeanNamesForType(WebFilterChainProxy.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(SecurityWebFilterChain.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(ReactiveUserDetailsService.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(ReactiveAuthenticationManager.class)).isEmpty();
		assertThat(output).doesNotContain("Using generated security password");
		// a path no endpoint has is not found, not asked for credentials
		this.client.get().uri("/elsewhere").exchange().expectStatus().isNotFound()
			.expectHeader().doesNotExist(HttpHeaders.WWW_AUTHENTICATE);
	}

	@Test
	void theActuatorAnswersOnTheManagementPortOnly() {
		assertThat(this.managementPort).isPositive().isNotEqualTo(this.serverPort);
		for (String path : new String[] { "/actuator/health", "/actuator/health/readiness", "/actuator/prometheus",
				"/actuator/metrics", "/actuator" }) {
			this.client.get().uri(path).exchange().expectStatus().isNotFound()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		}
		WebTestClient management = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
		management.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
		management.get().uri("/actuator/health").exchange().expectBody()
			.jsonPath("$.components.brokers").exists();
		management.get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
	}

}
