package dev.amqpgateway.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.JwkServer;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Endpoints with {@code auth}, checked with real tokens: signed in the test with an RSA key whose
 * set a real HTTP server serves (or a file holds), against a real broker. Every refusal is a
 * problem answer, and a refused request leaves its message in the queue.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@DirtiesContext
class EndpointSecurityIntegrationTests {

	static final JwkServer KEYS = JwkServer.start();

	static final String EXCHANGE = GatewayEndpoints.unique("secured-x");

	static final String SECURED = GatewayEndpoints.unique("secured");

	static final String LOCAL = GatewayEndpoints.unique("local");

	static final String SCOPED = GatewayEndpoints.unique("scoped");

	static final String OPEN = GatewayEndpoints.unique("open");

	static final String DOWN = GatewayEndpoints.unique("down");

	static final String PUBLISHED = GatewayEndpoints.unique("published");

	static final String LEASED = GatewayEndpoints.unique("leased");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		GatewayEndpoints endpoints = new GatewayEndpoints()
			.endpoint("/secured", consumer(SECURED, EXCHANGE, "amqp.consumer.routing_key[0]", SECURED)).timeout("300ms")
			.endpoint("/local", consumer(LOCAL, EXCHANGE, "amqp.consumer.routing_key[0]", LOCAL)).timeout("300ms")
			.endpoint("/scoped", consumer(SCOPED, EXCHANGE, "amqp.consumer.routing_key[0]", SCOPED)).timeout("300ms")
			.endpoint("/open", consumer(OPEN, EXCHANGE, "amqp.consumer.routing_key[0]", OPEN)).timeout("300ms")
			.endpoint("/down", consumer(DOWN, EXCHANGE, "amqp.consumer.routing_key[0]", DOWN)).timeout("300ms")
			.endpoint("/publish/{id}", Map.of("amqp.producer.exchange", EXCHANGE, "amqp.producer.routing_key",
					PUBLISHED, "amqp.producer.static_routing_key", true))
			.endpoint("/leased", consumer(LEASED, EXCHANGE, "amqp.consumer.routing_key[0]", LEASED)).timeout("300ms");
		endpoints.addTo(registry);
		registry.add("gateway.endpoints[6].ack_mode", () -> "lease");
		registry.add("gateway.lease.secret", () -> "a-secret-of-at-least-thirty-two-characters");
		Map<String, Object> auth = new LinkedHashMap<>();
		remote(auth, 0, KEYS.url());
		auth.put("gateway.endpoints[0].auth.roles[0]", "reader");
		auth.put("gateway.endpoints[0].auth.roles[1]", "admin");
		auth.put("gateway.endpoints[0].auth.roles_key", "realm_access.roles");
		auth.put("gateway.endpoints[1].auth.jwk_local_path", localKeySet().toString());
		auth.put("gateway.endpoints[1].auth.issuer", JwkServer.ISSUER);
		remote(auth, 2, KEYS.url());
		// KrakenD's default: the key set fetched for every token
		auth.put("gateway.endpoints[2].auth.cache", false);
		auth.put("gateway.endpoints[2].auth.scopes[0]", "orders:read");
		auth.put("gateway.endpoints[2].auth.scopes[1]", "orders:write");
		auth.put("gateway.endpoints[2].auth.scopes_matcher", "all");
		// nothing listens on port 1: an identity provider that is down
		remote(auth, 4, "http://127.0.0.1:1/jwks.json");
		remote(auth, 5, KEYS.url());
		remote(auth, 6, KEYS.url());
		auth.forEach((name, value) -> registry.add(name, () -> value));
	}

	private static void remote(Map<String, Object> auth, int endpoint, String url) {
		String prefix = "gateway.endpoints[" + endpoint + "].auth.";
		auth.put(prefix + "jwk_url", url);
		auth.put(prefix + "disable_jwk_security", true);
		auth.put(prefix + "issuer", JwkServer.ISSUER);
		auth.put(prefix + "audience[0]", JwkServer.AUDIENCE);
		auth.put(prefix + "cache", true);
	}

	private static Path localKeySet() {
		try {
			Path file = Files.createTempFile("jwks", ".json");
			file.toFile().deleteOnExit();
			return KEYS.writeTo(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@AfterAll
	static void stopTheKeyServer() {
		KEYS.close();
		TestBroker.delete(List.of(SECURED, LOCAL, SCOPED, OPEN, DOWN, LEASED), EXCHANGE);
	}

	@Autowired
	WebTestClient client;

	/**
	 * Empty queues without consumers: a backend's consumer outlives the request that started it by
	 * release_after, and could take a message ahead of demand; once it is gone, only a request can.
	 */
	@BeforeEach
	void emptyQueuesWithoutConsumers() {
		for (String queue : List.of(SECURED, LOCAL, SCOPED, OPEN, DOWN)) {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> TestBroker.admin().getQueueInfo(queue).getConsumerCount() == 0);
			TestBroker.admin().purgeQueue(queue);
		}
	}

	@Test
	void aRequestWithoutATokenIsAnswered401WithTheBearerChallenge() {
		this.client.get().uri("/secured").exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:unauthorized")
			.jsonPath("$.status").isEqualTo(401)
			.jsonPath("$.instance").isEqualTo("/secured");
	}

	@Test
	void aValidTokenWithOneOfTheRolesTakesTheMessage() {
		TestBroker.publish(EXCHANGE, SECURED, "{\"id\": 1}");
		get("/secured", KEYS.sign(JwkServer.withRoles("reader"))).expectStatus().isOk()
			.expectBody().jsonPath("$.id").isEqualTo(1);
	}

	@Test
	void everyRefusedTokenIs401AndTakesNoMessage() {
		TestBroker.publish(EXCHANGE, SECURED, "{\"id\": 2}");
		Instant past = Instant.now().minus(Duration.ofMinutes(10));
		Map<String, String> refused = new LinkedHashMap<>();
		refused.put("expired", KEYS.sign(JwkServer.withRoles("reader").issueTime(Date.from(past.minusSeconds(60)))
			.expirationTime(Date.from(past))));
		refused.put("wrong issuer", KEYS.sign(JwkServer.withRoles("reader").issuer("https://elsewhere.test")));
		refused.put("wrong audience", KEYS.sign(JwkServer.withRoles("reader").audience("another-service")));
		refused.put("alg none", JwkServer.unsigned(JwkServer.withRoles("reader")));
		refused.put("key not in the set", JwkServer.sign(JwkServer.withRoles("reader"), JwkServer.newKey("test-key")));
		refused.put("not a token", "not.a.token");
		refused.forEach((name, token) -> get("/secured", token).expectStatus().isUnauthorized()
			.expectHeader().value(HttpHeaders.WWW_AUTHENTICATE, (challenge) -> assertThat(challenge).as(name)
				.startsWith("Bearer error=\"invalid_token\""))
			.expectBody().jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:unauthorized"));
		assertThat(TestBroker.depth(SECURED)).isEqualTo(new TestBroker.QueueDepth(1, 0));
		get("/secured", KEYS.sign(JwkServer.withRoles("admin"))).expectStatus().isOk()
			.expectBody().jsonPath("$.id").isEqualTo(2);
	}

	@Test
	void aTokenWithoutTheRolesIs403AndTakesNoMessage() {
		TestBroker.publish(EXCHANGE, SECURED, "{\"id\": 3}");
		get("/secured", KEYS.sign(JwkServer.withRoles("writer"))).expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:forbidden")
			.jsonPath("$.detail").value((detail) -> assertThat((String) detail).contains("realm_access.roles"));
		get("/secured", KEYS.sign(JwkServer.claims())).expectStatus().isForbidden();
		assertThat(TestBroker.depth(SECURED)).isEqualTo(new TestBroker.QueueDepth(1, 0));
	}

	@Test
	void scopesMatchedAllNeedEveryScope() {
		TestBroker.publish(EXCHANGE, SCOPED, "{\"id\": 4}");
		get("/scoped", KEYS.sign(JwkServer.claims().claim("scope", "orders:read"))).expectStatus().isForbidden();
		get("/scoped", KEYS.sign(JwkServer.claims().claim("scope", "profile orders:write orders:read")))
			.expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(4);
	}

	@Test
	void aKeySetFileChecksTokensWithoutFetching() {
		TestBroker.publish(EXCHANGE, LOCAL, "{\"id\": 5}");
		get("/local", JwkServer.sign(JwkServer.claims(), JwkServer.newKey("test-key"))).expectStatus().isUnauthorized();
		get("/local", KEYS.sign(JwkServer.claims().issuer("https://elsewhere.test"))).expectStatus().isUnauthorized();
		get("/local", KEYS.sign(JwkServer.claims())).expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(5);
	}

	@Test
	void anUnreachableKeySetIs401NotA500AndOtherEndpointsKeepServing() {
		TestBroker.publish(EXCHANGE, DOWN, "{\"id\": 6}");
		get("/down", KEYS.sign(JwkServer.claims())).expectStatus().isUnauthorized()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.detail").isEqualTo("The bearer token could not be checked now; try again later.");
		assertThat(TestBroker.depth(DOWN)).isEqualTo(new TestBroker.QueueDepth(1, 0));
		TestBroker.publish(EXCHANGE, OPEN, "{\"id\": 7}");
		this.client.get().uri("/open").exchange().expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(7);
		get("/secured", KEYS.sign(JwkServer.withRoles("reader"))).expectStatus().isNoContent();
	}

	@Test
	void aProducerPathWithParametersIsProtectedAndARefusedRequestPublishesNothing() {
		String queue = GatewayEndpoints.unique("published-q");
		TestBroker.admin().declareQueue(new org.springframework.amqp.core.Queue(queue, false, false, true));
		TestBroker.admin().declareBinding(new org.springframework.amqp.core.Binding(queue,
				org.springframework.amqp.core.Binding.DestinationType.QUEUE, EXCHANGE, PUBLISHED, null));
		this.client.post().uri("/publish/42").bodyValue("{\"n\": 1}").exchange().expectStatus().isUnauthorized();
		this.client.post().uri("/publish/42").header(HttpHeaders.AUTHORIZATION, "Bearer " + KEYS.sign(
				JwkServer.claims().audience("another-service"))).bodyValue("{\"n\": 1}").exchange()
			.expectStatus().isUnauthorized();
		assertThat(TestBroker.depth(queue).total()).isZero();
		this.client.post().uri("/publish/42").header(HttpHeaders.AUTHORIZATION, "Bearer " + KEYS.sign(JwkServer.claims()))
			.bodyValue("{\"n\": 2}").exchange().expectStatus().isOk();
		assertThat(TestBroker.depth(queue).total()).isOne();
		TestBroker.admin().deleteQueue(queue);
	}

	@Test
	void aProtectedPathWithEncodedCharactersIsCheckedAsItsRouteMatchesIt() {
		for (String id : List.of("a\\b", "a/b", "..", "a;b", "%2F")) {
			this.client.post().uri("/publish/{id}", id).bodyValue("{}").exchange()
				.expectStatus().isUnauthorized()
				.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
		}
	}

	@Test
	void twoAuthorizationHeadersAre400InvalidRequestAndTakeNoMessage() {
		TestBroker.publish(EXCHANGE, SECURED, "{\"id\": 8}");
		String token = KEYS.sign(JwkServer.withRoles("reader"));
		this.client.get().uri("/secured")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token, "Bearer " + token)
			.exchange()
			.expectStatus().isBadRequest()
			.expectHeader().value(HttpHeaders.WWW_AUTHENTICATE,
					(challenge) -> assertThat(challenge).startsWith("Bearer error=\"invalid_request\""))
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:bad-request");
		this.client.get().uri("/secured").header(HttpHeaders.AUTHORIZATION, "Bearer not a token").exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().value(HttpHeaders.WWW_AUTHENTICATE,
					(challenge) -> assertThat(challenge).startsWith("Bearer error=\"invalid_token\""));
		assertThat(TestBroker.depth(SECURED)).isEqualTo(new TestBroker.QueueDepth(1, 0));
		this.client.get().uri("/secured").header(HttpHeaders.AUTHORIZATION, "bearer  " + token).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(8);
	}

	@Test
	void theSettlementRoutesOfALeaseEndpointAreProtectedLikeIt() {
		for (String route : List.of("/leased/ack", "/leased/nack", "/leased/extend")) {
			this.client.post().uri(route).contentType(MediaType.APPLICATION_JSON).bodyValue("{\"receipts\": []}")
				.exchange()
				.expectStatus().isUnauthorized()
				.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
		}
		this.client.post().uri("/leased/ack").header(HttpHeaders.AUTHORIZATION, "Bearer " + KEYS.sign(JwkServer.claims()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"receipts\": []}")
			.exchange()
			.expectStatus().value((status) -> assertThat(status).isNotEqualTo(401).isNotEqualTo(403));
	}

	@Test
	void theKeySetIsFetchedOnceForManyTokens() {
		int before = KEYS.fetches();
		for (int i = 0; i < 5; i++) {
			get("/secured", KEYS.sign(JwkServer.withRoles("reader"))).expectStatus().isNoContent();
		}
		assertThat(KEYS.fetches() - before).isLessThanOrEqualTo(1);
	}

	@Test
	void withoutCacheTheKeySetIsFetchedForEveryToken() {
		String token = KEYS.sign(JwkServer.claims().claim("scope", "orders:read"));
		int before = KEYS.fetches();
		for (int i = 0; i < 3; i++) {
			get("/scoped", token).expectStatus().isForbidden();
		}
		assertThat(KEYS.fetches() - before).isEqualTo(3);
	}

	private WebTestClient.ResponseSpec get(String path, String token) {
		return this.client.get().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange();
	}

}
