package dev.amqpgateway.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import dev.amqpgateway.config.GatewayConfiguration;
import dev.amqpgateway.config.Tls;
import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.http.problem.ProblemTypes;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import dev.amqpgateway.support.TestBroker.QueueDepth;
import dev.amqpgateway.support.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.QueueBuilder;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code amqps://} hosts against TLS-terminating proxies in front of the test broker,
 * with certificates of a CA made for the test run: the backend's trust store or Spring Boot SSL
 * bundle (PEM or PKCS12) is used, the JVM's does not trust the CA, host names are verified unless
 * switched off, and a client certificate is presented from the key store. A refused handshake
 * shows in the backend's status, never as a crash; a bundle reloaded from its file reaches the next
 * connection; a bundle name Spring Boot does not know stops startup naming the key.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
@DirtiesContext
class TlsIntegrationTests {

	static final TestCertificates CERTIFICATES = TestCertificates.get();

	static final TcpProxy LOCALHOST = TcpProxy.tls(CERTIFICATES.localhost(), false, TestBroker.host(),
			TestBroker.port());

	static final TcpProxy ELSEWHERE = TcpProxy.tls(CERTIFICATES.elsewhere(), false, TestBroker.host(),
			TestBroker.port());

	static final TcpProxy MUTUAL = TcpProxy.tls(CERTIFICATES.localhost(), true, TestBroker.host(), TestBroker.port());

	static final String EXCHANGE = GatewayEndpoints.unique("tls-x");

	static final String BACKEND = "gateway.endpoints[0].backend[0].";

	static final String TRUSTED = GatewayEndpoints.unique("trusted");

	static final String UNVERIFIED = GatewayEndpoints.unique("unverified");

	static final String CLIENT_CERTIFICATE = GatewayEndpoints.unique("client-certificate");

	static final String PEM_BUNDLE = GatewayEndpoints.unique("pem-bundle");

	static final String PKCS12_BUNDLE = GatewayEndpoints.unique("pkcs12-bundle");

	static final String WRONG_CA_BUNDLE = GatewayEndpoints.unique("wrong-ca-bundle");

	static final String RELOADED_BUNDLE = GatewayEndpoints.unique("reloaded-bundle");

	static final List<String> QUEUES = new ArrayList<>();

	static final Path PEM_FILES = temporaryDirectory();

	static final Path RELOADED_PEM = PEM_FILES.resolve("reloaded/ca.pem");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) throws IOException {
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
			.endpoint("/pem-bundle", tls(LOCALHOST, PEM_BUNDLE, "tls.bundle", "test-ca"))
			.endpoint("/pkcs12-bundle", tls(MUTUAL, PKCS12_BUNDLE, "tls.bundle", "test-ca-and-client"))
			.endpoint("/bundle-wrong-host", tls(ELSEWHERE, GatewayEndpoints.unique("bundle-wrong-host"),
					"tls.bundle", "test-ca"))
			.endpoint("/wrong-ca-bundle", tls(LOCALHOST, WRONG_CA_BUNDLE, "tls.bundle", "other-ca"))
			.endpoint("/reloaded-bundle", tls(LOCALHOST, RELOADED_BUNDLE, "tls.bundle", "reloaded"))
			.addTo(registry);
		bundles().forEach((name, value) -> registry.add(name, () -> value));
		// A message published before a request always reaches it, however busy the machine.
		registry.add("gateway.timeout", () -> "30s");
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	/**
	 * The SSL bundles of the test: the test CA in PEM; it and the client certificate in PKCS12; a
	 * CA that signed nothing here; and a PEM file, watched, that starts as that other CA.
	 */
	static Map<String, String> bundles() throws IOException {
		Map<String, String> bundles = new LinkedHashMap<>();
		bundles.put("spring.ssl.bundle.pem.test-ca.truststore.certificate",
				pemFile("test-ca.pem", CERTIFICATES.caCertificate()));
		bundles.put("spring.ssl.bundle.jks.test-ca-and-client.truststore.location", CERTIFICATES.trustStore());
		bundles.put("spring.ssl.bundle.jks.test-ca-and-client.truststore.password", TestCertificates.PASSWORD);
		bundles.put("spring.ssl.bundle.jks.test-ca-and-client.truststore.type", "PKCS12");
		bundles.put("spring.ssl.bundle.jks.test-ca-and-client.keystore.location", CERTIFICATES.clientKeyStore());
		bundles.put("spring.ssl.bundle.jks.test-ca-and-client.keystore.password", TestCertificates.PASSWORD);
		bundles.put("spring.ssl.bundle.jks.test-ca-and-client.keystore.type", "PKCS12");
		bundles.put("spring.ssl.bundle.pem.other-ca.truststore.certificate",
				pemFile("other-ca.pem", CERTIFICATES.otherCaCertificate()));
		bundles.put("spring.ssl.bundle.pem.reloaded.truststore.certificate",
				pemFile("reloaded/ca.pem", CERTIFICATES.otherCaCertificate()));
		bundles.put("spring.ssl.bundle.pem.reloaded.reload-on-update", "true");
		bundles.put("spring.ssl.bundle.watch.file.quiet-period", "200ms");
		return bundles;
	}

	static Map<String, Object> tls(TcpProxy proxy, String queue, Object... more) {
		QUEUES.add(queue);
		Map<String, Object> consumer = GatewayEndpoints.consumer(queue, EXCHANGE, more);
		consumer.put("host[0]", "amqps://guest:guest@127.0.0.1:" + proxy.port());
		consumer.put("amqp.consumer.routing_key[0]", queue);
		if (consumer.containsKey("tls.trust_store")) {
			consumer.put("tls.trust_store_password", TestCertificates.PASSWORD);
		}
		return consumer;
	}

	static Path temporaryDirectory() {
		try {
			Path directory = Files.createTempDirectory("amqp-gateway-pem-");
			directory.toFile().deleteOnExit();
			return directory;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static String pemFile(String name, String pem) throws IOException {
		Path file = PEM_FILES.resolve(name);
		if (Files.notExists(file.getParent())) {
			Files.createDirectories(file.getParent()).toFile().deleteOnExit();
		}
		Files.writeString(file, pem);
		file.toFile().deleteOnExit();
		return file.toUri().toString();
	}

	@AfterAll
	static void closeProxiesAndDeleteQueues() {
		Stream.of(LOCALHOST, ELSEWHERE, MUTUAL).forEach(TcpProxy::close);
		TestBroker.delete(QUEUES, EXCHANGE);
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

	@Test
	void connectsAndServesWithAPemBundle() {
		assertThat(status("/pem-bundle").isUp()).isTrue();
		assertServes("/pem-bundle", PEM_BUNDLE);
	}

	@Test
	void connectsAndServesWithAPkcs12BundleThatAlsoHoldsTheClientCertificate() {
		assertThat(status("/pkcs12-bundle").isUp()).isTrue();
		assertServes("/pkcs12-bundle", PKCS12_BUNDLE);
	}

	@Test
	void refusesACertificateIssuedForAnotherHostWithABundle() {
		assertRefusedFor("/bundle-wrong-host", "No subject alternative names matching IP address 127.0.0.1 found");
	}

	@Test
	void refusesABrokerWhoseCaIsNotInTheBundleAndTakesNoMessage() {
		TestBroker.admin().declareQueue(QueueBuilder.nonDurable(WRONG_CA_BUNDLE).build());
		TestBroker.publish("", WRONG_CA_BUNDLE, "{}");
		assertRefusedFor("/wrong-ca-bundle", "unable to find valid certification path to requested target");
		assertThat(TestBroker.depth(WRONG_CA_BUNDLE)).isEqualTo(new QueueDepth(1, 0));
	}

	@Test
	void connectsWithTheBundleReloadedFromItsReplacedFile() throws IOException {
		assertRefusedFor("/reloaded-bundle", "unable to find valid certification path to requested target");
		Path replacement = Files.writeString(PEM_FILES.resolve("replacement.pem"), CERTIFICATES.caCertificate());
		Files.move(replacement, RELOADED_PEM, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		// Boot's watcher reloads after a quiet period of 200 ms, and attempts follow every 500 ms.
		await().atMost(Duration.ofSeconds(60)).until(() -> status("/reloaded-bundle").isUp());
		assertServes("/reloaded-bundle", RELOADED_BUNDLE);
	}

	@Test
	void refusesToStartWithABundleSpringBootDoesNotKnow() {
		assertStartupRefused(Map.of(BACKEND + "tls.bundle", "no-such-bundle",
				"spring.ssl.bundle.jks.test-ca.truststore.location", CERTIFICATES.trustStore()),
				BACKEND + "tls.bundle", "is not an SSL bundle: define it under spring.ssl.bundle.jks.no-such-bundle"
						+ " or spring.ssl.bundle.pem.no-such-bundle (the bundles defined are test-ca)");
	}

	@Test
	void refusesToStartWithABundleAndStoreKeysOnOneBackend() {
		assertStartupRefused(Map.of(BACKEND + "tls.bundle", "test-ca", BACKEND + "tls.trust_store",
				CERTIFICATES.trustStore()), BACKEND + "tls.bundle",
				"must not be set together with tls.trust_store; the bundle holds the trust and key material");
	}

	@Test
	void refusesToStartWithATrustStoreThatCannotBeRead() {
		runner(refusedBackend(Map.of(BACKEND + "tls.trust_store", "file:/nonexistent/ca.p12")))
			.run((context) -> assertThat(context).getFailure()
				.hasMessageContaining("Cannot set up TLS of gateway.endpoints[0].backend[0].tls: ")
				.hasMessageContaining("Could not load store from 'file:/nonexistent/ca.p12'"));
	}

	@Test
	void showsTheTlsSettingsWithoutTheirPasswords() {
		Tls tls = new Tls(null, "file:/etc/gateway/ca.p12", "trust-s3cret", null, "file:/etc/gateway/client.p12",
				"key-s3cret", null, true);
		assertThat(tls.toString()).contains("file:/etc/gateway/ca.p12").doesNotContain("s3cret");
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
		TestBroker.publish(EXCHANGE, queue, "{\"tls\": true}");
		this.client.get().uri(endpoint).exchange().expectStatus().isOk().expectBody().json("{\"tls\": true}", true);
	}

	private ChannelStatus status(String endpoint) {
		return this.backends.get(endpoint, 0).status();
	}

	/**
	 * Start the brokers of a configuration with one {@code amqps://} backend, which never connects,
	 * and assert the report printed under "APPLICATION FAILED TO START".
	 */
	private static void assertStartupRefused(Map<String, String> properties, String key, String reason) {
		Map<String, Object> configuration = refusedBackend(properties);
		runner(configuration).run((context) -> {
			assertThat(context).hasFailed();
			StandardEnvironment environment = new StandardEnvironment();
			environment.getPropertySources().addFirst(new MapPropertySource("test", configuration));
			FailureAnalysis analysis = new FailureAnalyzers(environment).analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains(String.format("    Property: %s%n", key))
				.contains(String.format("    Reason: %s%n", reason));
		});
	}

	/**
	 * A configuration with one {@code amqps://} backend, which never connects, and the given keys.
	 */
	private static Map<String, Object> refusedBackend(Map<String, String> properties) {
		Map<String, Object> configuration = new LinkedHashMap<>(properties);
		configuration.put("gateway.endpoints[0].endpoint", "/refused");
		configuration.put(BACKEND + "host[0]", "amqps://localhost:1");
		configuration.put(BACKEND + "amqp.consumer.name", "refused");
		configuration.put(BACKEND + "amqp.consumer.exchange", "refused");
		configuration.put(BACKEND + "amqp.consumer.routing_key[0]", "#");
		return configuration;
	}

	/**
	 * Starts the brokers of a configuration, as far as the startup of the gateway gets before it
	 * connects, with Spring Boot's SSL bundles.
	 */
	private static ApplicationContextRunner runner(Map<String, Object> configuration) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ValidationAutoConfiguration.class))
			.withUserConfiguration(BrokersOnly.class)
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("test", configuration)));
	}

	/**
	 * What a refused start needs: the bound gateway configuration and the brokers made from it.
	 * Not a {@code @Configuration}, which the test's own context would take for its whole one.
	 */
	@Import({ GatewayConfiguration.class, BrokerConfiguration.class })
	static class BrokersOnly {

	}

	/**
	 * The failure analyzers of {@code spring.factories}, as {@code SpringApplication} runs them: the
	 * report of the first one that knows the failure.
	 */
	private record FailureAnalyzers(Environment environment) {

		FailureAnalysis analyze(Throwable failure) {
			return SpringFactoriesLoader.forDefaultResourceLocation()
				.load(FailureAnalyzer.class, ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
					.and(Environment.class, this.environment))
				.stream()
				.map((analyzer) -> analyzer.analyze(failure))
				.filter(Objects::nonNull)
				.findFirst()
				.orElseThrow(() -> new AssertionError("No failure analysis for " + failure));
		}

	}

}
