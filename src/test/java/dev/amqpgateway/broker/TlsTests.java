package dev.amqpgateway.broker;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;

import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.http.problem.ProblemTypes;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import dev.amqpgateway.support.TestCertificates;
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
 * {@code amqps://} hosts against TLS-terminating proxies in front of the test broker,
 * with certificates of a CA made for the test run: the backend's trust store is used, the JVM's
 * does not trust the CA, host names are verified unless switched off, and a client certificate is
 * presented from the key store. A refused handshake shows in the backend's status, never as a crash.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
@DirtiesContext
class TlsTests {

	static final TestCertificates CERTIFICATES = TestCertificates.get();

	static final TcpProxy LOCALHOST = TcpProxy.tls(CERTIFICATES.localhost(), false, TestBroker.host(),
			TestBroker.port());

	static final TcpProxy ELSEWHERE = TcpProxy.tls(CERTIFICATES.elsewhere(), false, TestBroker.host(),
			TestBroker.port());

	static final TcpProxy MUTUAL = TcpProxy.tls(CERTIFICATES.localhost(), true, TestBroker.host(), TestBroker.port());

	static final String EXCHANGE = GatewayEndpoints.unique("tls-x");

	static final String TRUSTED = GatewayEndpoints.unique("trusted");

	static final String UNVERIFIED = GatewayEndpoints.unique("unverified");

	static final String CLIENT_CERTIFICATE = GatewayEndpoints.unique("client-certificate");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/trusted", tls(LOCALHOST, TRUSTED, "tls.trust_store", CERTIFICATES.trustStore()))
			.endpoint("/untrusted", tls(LOCALHOST, GatewayEndpoints.unique("untrusted")))
			.endpoint("/wrong-host", tls(ELSEWHERE, GatewayEndpoints.unique("wrong-host"),
					"tls.trust_store", CERTIFICATES.trustStore()))
			.endpoint("/unverified", tls(ELSEWHERE, UNVERIFIED, "tls.trust_store", CERTIFICATES.trustStore(),
					"tls.verify_hostname", "false"))
			.endpoint("/client-certificate", tls(MUTUAL, CLIENT_CERTIFICATE,
					"tls.trust_store", CERTIFICATES.trustStore(),
					"tls.key_store", CERTIFICATES.clientKeyStore(),
					"tls.key_store_password", TestCertificates.PASSWORD))
			.endpoint("/no-client-certificate", tls(MUTUAL, GatewayEndpoints.unique("no-client-certificate"),
					"tls.trust_store", CERTIFICATES.trustStore()))
			.addTo(registry);
		// A message published before a request always reaches it, however busy the machine.
		registry.add("gateway.timeout", () -> "30s");
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	static Map<String, Object> tls(TcpProxy proxy, String queue, Object... more) {
		Map<String, Object> consumer = GatewayEndpoints.consumer(queue, EXCHANGE, more);
		consumer.put("host[0]", "amqps://guest:guest@127.0.0.1:" + proxy.port());
		consumer.put("amqp.consumer.routing_key[0]", queue);
		if (consumer.containsKey("tls.trust_store")) {
			consumer.put("tls.trust_store_password", TestCertificates.PASSWORD);
		}
		return consumer;
	}

	@AfterAll
	static void closeProxies() {
		Stream.of(LOCALHOST, ELSEWHERE, MUTUAL).forEach(TcpProxy::close);
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ConsumerBackends backends;

	@Test
	void connectsAndServesWithTheBackendsTrustStore() {
		assertThat(status("/trusted").isUp()).isTrue();
		assertServes("/trusted", TRUSTED);
	}

	@Test
	void refusesABrokerWhoseCertificateTheJvmDoesNotTrust() {
		assertRefusedFor("/untrusted", "unable to find valid certification path to requested target");
	}

	@Test
	void refusesACertificateIssuedForAnotherHost() {
		assertRefusedFor("/wrong-host", "No subject alternative names matching IP address 127.0.0.1 found");
	}

	@Test
	void acceptsACertificateIssuedForAnotherHostWhenHostnameVerificationIsOff() {
		assertThat(status("/unverified").isUp()).isTrue();
		assertServes("/unverified", UNVERIFIED);
	}

	@Test
	void presentsTheClientCertificateOfTheBackendsKeyStore() {
		assertThat(status("/client-certificate").isUp()).isTrue();
		assertServes("/client-certificate", CLIENT_CERTIFICATE);
		assertThat(status("/no-client-certificate").isUp()).isFalse();
		// The broker's alert can lose the race with the client's first write (then "Broken pipe"),
		// but attempts follow each other every 500 ms and most end with the alert.
		await().untilAsserted(() -> assertThat(status("/no-client-certificate").lastError())
			.matches("SSLHandshakeException: Received fatal alert: (bad_certificate|certificate_required)"));
	}

	private void assertRefusedFor(String endpoint, String reason) {
		ChannelStatus status = status(endpoint);
		assertThat(status.isUp()).isFalse();
		assertThat(status.lastError()).contains(reason);
		this.client.get().uri(endpoint).exchange()
			.expectStatus().isEqualTo(503)
			.expectBody()
			.jsonPath("$.type").isEqualTo(ProblemTypes.BROKER_UNAVAILABLE.toString())
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).endsWith(": " + reason));
	}

	private void assertServes(String endpoint, String queue) {
		TestBroker.template().send(EXCHANGE, queue,
				new Message("{\"tls\": true}".getBytes(StandardCharsets.UTF_8), new MessageProperties()));
		this.client.get().uri(endpoint).exchange().expectStatus().isOk().expectBody().json("{\"tls\": true}", true);
	}

	private ChannelStatus status(String endpoint) {
		return this.backends.get(endpoint, 0).status();
	}

}
