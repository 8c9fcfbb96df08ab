package dev.amqpgateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Binding of the gateway configuration, and the refusal of every bad configuration with
 * the report a user sees at startup: the key that is wrong and why.
 */
class GatewayPropertiesTests {

	private static final String ENDPOINT = "gateway.endpoints[0].";

	private static final String BACKEND = ENDPOINT + "backend[0].";

	private static final String CONSUMER = BACKEND + "amqp.consumer.";

	private static final String PRODUCER = BACKEND + "amqp.producer.";

	private static final String AGENT = "gateway.async_agents[0].";

	private static final String AGENT_BACKEND = AGENT + "backend[0].";

	private static final String UNKNOWN_KEY = "not a known key; check its spelling and its place in the tree";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(GatewayConfiguration.class);

	@Test
	void refusesConsumerWithoutName() {
		assertRefused(valid().without(CONSUMER + "name"), CONSUMER + "name",
				"is required: the queue to declare and drain");
	}

	@Test
	void refusesConsumerWithoutExchange() {
		assertRefused(valid().without(CONSUMER + "exchange"), CONSUMER + "exchange",
				"is required: the exchange to bind the queue to");
	}

	@Test
	void refusesConsumerWithoutRoutingKey() {
		assertRefused(valid().without(CONSUMER + "routing_key[0]"), CONSUMER + "routing_key",
				"needs at least one routing key, such as [\"#\"]");
	}

	@Test
	void refusesUnknownEncodingNamingTheAcceptedOnes() {
		assertRefused(valid().with(BACKEND + "encoding", "xml"), BACKEND + "encoding",
				"must be one of json, safejson, string, no-op");
	}

	@Test
	void refusesUnknownExchangeTypeNamingTheAcceptedOnes() {
		assertRefused(valid().with(CONSUMER + "exchange_type", "header"), CONSUMER + "exchange_type",
				"must be one of topic, direct, fanout, headers");
	}

	@Test
	void refusesUnknownBackoffStrategyNamingTheAcceptedOnes() {
		assertRefused(valid().with(CONSUMER + "backoff_strategy", "random"), CONSUMER + "backoff_strategy",
				"must be one of linear, linear-jitter, exponential, exponential-jitter, fallback");
	}

	@Test
	void refusesNegativePrefetchCount() {
		assertRefused(valid().with(CONSUMER + "prefetch_count", "-1"), CONSUMER + "prefetch_count",
				"must be greater than or equal to 0");
	}

	@Test
	void refusesPrefetchCountAboveTheAmqpLimit() {
		assertRefused(valid().with(CONSUMER + "prefetch_count", "65536"), CONSUMER + "prefetch_count",
				"must be less than or equal to 65535");
	}

	@Test
	void refusesPrefetchCountThatIsNotANumber() {
		assertRefused(valid().with(CONSUMER + "prefetch_count", "ten"), CONSUMER + "prefetch_count",
				"must be a whole number");
	}

	@Test
	void refusesNegativeMaxRetries() {
		assertRefused(valid().with(CONSUMER + "max_retries", "-1"), CONSUMER + "max_retries",
				"must be greater than or equal to 0");
	}

	@Test
	void refusesHostThatIsNotAnAmqpUrl() {
		assertRefused(valid().with(BACKEND + "host[0]", "http://localhost:5672"), BACKEND + "host[0]",
				"must start with amqp:// or amqps://");
	}

	@Test
	void refusesEmptyHostList() {
		assertRefused(yaml("""
				gateway:
				  endpoints:
				    - endpoint: /orders
				      backend:
				        - host: []
				          amqp:
				            consumer: {name: q, exchange: x, routing_key: ["#"]}
				"""), BACKEND + "host", "needs at least one broker URL, such as amqp://localhost:5672");
	}

	@Test
	void refusesMalformedHostUrl() {
		assertRefused(valid().with(BACKEND + "host[0]", "amqp://local host:5672"), BACKEND + "host[0]",
				"is not a valid URL: Illegal character in authority");
	}

	@Test
	void refusesHostUrlWithoutHost() {
		assertRefused(valid().with(BACKEND + "host[0]", "amqp:///vhost"), BACKEND + "host[0]",
				"must name a host, as in amqp://user:pass@host:5672/vhost");
	}

	@Test
	void refusesHostNameThatJavaCannotConnectTo() {
		assertRefused(valid().with(BACKEND + "host[0]", "amqp://rabbit_mq:5672"), BACKEND + "host[0]",
				"has no valid host name: use letters, digits, '-' and '.' only");
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "70000", "99999999999" })
	void refusesPortOutOfRange(String port) {
		assertRefused(valid().with(BACKEND + "host[0]", "amqp://localhost:" + port), BACKEND + "host[0]",
				"must have a port between 1 and 65535");
	}

	@Test
	void showsRefusedHostWithoutItsPassword() {
		FailureAnalysis analysis = refusal(
				valid().with(BACKEND + "host[0]", "amqp://user:s3cr/et@localhost:70000"));
		assertThat(analysis.getDescription()).contains(line("Value", "\"amqp://user:******@localhost:70000\""))
			.doesNotContain("s3cr");
	}

	@Test
	void keepsRefusedHostPasswordsOutOfTheFailure() {
		Config config = valid().with(BACKEND + "host[0]", "http://user:s3cret@localhost");
		this.runner.withInitializer(config::addTo).run((context) -> {
			assertThat(context).hasFailed();
			for (Throwable failure = context.getStartupFailure(); failure != null; failure = failure.getCause()) {
				assertThat(failure.getMessage()).doesNotContain("s3cret");
			}
		});
	}

	@Test
	void refusesTwoEndpointsWithTheSamePath() {
		Config config = valid().with("gateway.endpoints[1].endpoint", "/orders")
			.with("gateway.endpoints[1].backend[0].host[0]", "amqp://localhost")
			.with("gateway.endpoints[1].backend[0].amqp.consumer.name", "q2")
			.with("gateway.endpoints[1].backend[0].amqp.consumer.exchange", "x")
			.with("gateway.endpoints[1].backend[0].amqp.consumer.routing_key[0]", "#");
		assertRefused(config, "gateway.endpoints[1].endpoint",
				"is already the path of gateway.endpoints[0]; each endpoint needs its own (set in "
						+ "\"gateway.endpoints[0].endpoint\" from property source \"test\")");
	}

	@Test
	void refusesEndpointWithoutBackend() {
		assertRefused(valid().with("gateway.endpoints[1].endpoint", "/other"), "gateway.endpoints[1].backend",
				"needs at least one backend");
	}

	@Test
	void refusesBackendWithoutConsumer() {
		Config config = valid().without(CONSUMER + "name")
			.without(CONSUMER + "exchange")
			.without(CONSUMER + "routing_key[0]");
		assertRefused(config, BACKEND + "amqp", "is required: the amqp.consumer or amqp.producer settings of the backend");
	}

	@Test
	void refusesMethodOtherThanGet() {
		assertRefused(valid().with(ENDPOINT + "method", "POST"), ENDPOINT + "method",
				"must be GET: an AMQP consumer endpoint answers GET only");
	}

	@Test
	void bindsAProducerEndpointWithItsDefaults() {
		this.runner.withInitializer(producer("/produce/{a}/{b}/{id}/{prio}/{route}")
			.with(PRODUCER + "routing_key", "Route")
			.with(PRODUCER + "msg_id_key", "Id")
			.with(PRODUCER + "priority_key", "prio")
			.with(ENDPOINT + "input_headers[0]", "X-Tenant")::addTo).run((context) -> {
				assertThat(context).hasNotFailed();
				Endpoint endpoint = context.getBean(GatewayProperties.class).endpoints().get(0);
				assertThat(endpoint.isProducer()).isTrue();
				assertThat(endpoint.effectiveMethod()).isEqualTo("POST");
				assertThat(endpoint.inputHeaders()).containsExactly("X-Tenant");
				Producer producer = endpoint.backend().get(0).producer();
				assertThat(producer.exchangeType()).isEqualTo(ExchangeType.TOPIC);
				assertThat(producer.mandatory()).isTrue();
				assertThat(producer.deliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
				assertThat(producer.staticRoutingKey()).isFalse();
				assertThat(context.getBean(GatewayProperties.class).maxBodySize()).isEqualTo(DataSize.ofMegabytes(1));
			});
	}

	@Test
	void bindsTheKrakendProducerExamples() {
		Config config = yaml("""
				gateway:
				  endpoints:
				    - endpoint: /produce
				      method: POST
				      backend:
				        - host: ["amqp://guest:guest@myqueue.host.com:5672"]
				          disable_host_sanitize: true
				          amqp:
				            producer:
				              name: queue-1
				              exchange: some-exchange
				              durable: true
				              delete: false
				              no_wait: true
				              no_local: false
				              routing_key: "#"
				              mandatory: false
				              immediate: false
				              backoff_strategy: exponential-jitter
				    - endpoint: /produce/{a}/{b}/{id}/{prio}/{route}
				      method: POST
				      backend:
				        - host: ["amqp://guest:guest@myqueue.host.com:5672"]
				          amqp:
				            producer:
				              name: queue-1
				              exchange: some-exchange
				              durable: true
				              exp_key: A
				              reply_to_key: B
				              msg_id_key: id
				              priority_key: prio
				              routing_key: route
				""");
		this.runner.withInitializer(config::addTo).run((context) -> {
			assertThat(context).hasNotFailed();
			List<Endpoint> endpoints = context.getBean(GatewayProperties.class).producerEndpoints();
			assertThat(endpoints).hasSize(2);
			assertThat(endpoints.get(0).backend().get(0).producer().routingKey()).isEqualTo("#");
			assertThat(endpoints.get(0).backend().get(0).producer().mandatory()).isFalse();
			assertThat(endpoints.get(1).backend().get(0).producer().priorityKey()).isEqualTo("prio");
		});
	}

	@Test
	void refusesProducerWithoutExchange() {
		assertRefused(producer("/produce").without(PRODUCER + "exchange").with(PRODUCER + "routing_key", "orders"),
				PRODUCER + "exchange",
				"is required: the exchange to publish to");
	}

	@Test
	void refusesImmediate() {
		assertRefused(producer("/produce").with(PRODUCER + "immediate", "true"), PRODUCER + "immediate",
				"must be false: RabbitMQ does not implement immediate and closes the connection on it (540 NOT_IMPLEMENTED)");
	}

	@Test
	void refusesAProducerKeyThatNamesNoParameterOfThePath() {
		assertRefused(producer("/produce/{id}").with(PRODUCER + "priority_key", "Prio"), PRODUCER + "priority_key",
				"names no parameter of the endpoint's path (id)");
		assertRefused(producer("/produce").with(PRODUCER + "msg_id_key", "id"), PRODUCER + "msg_id_key",
				"names no parameter: the endpoint's path has none");
	}

	@Test
	void refusesRawBodiesForSeveralBackendsOrAProducer() {
		assertRefused(valid().with(ENDPOINT + "output_encoding", "no-op")
			.with(ENDPOINT + "backend[1].host[0]", "amqp://localhost:5672")
			.with(ENDPOINT + "backend[1].amqp.consumer.name", "other")
			.with(ENDPOINT + "backend[1].amqp.consumer.exchange", "other")
			.with(ENDPOINT + "backend[1].amqp.consumer.routing_key[0]", "#"), ENDPOINT + "output_encoding",
				"needs exactly one backend: no-op answers one message's body as it is, which several backends cannot share");
		assertRefused(producer("/produce").with(ENDPOINT + "output_encoding", "no-op"), ENDPOINT + "output_encoding",
				"must be json on a producer endpoint: no-op answers a consumed message's raw body");
	}

	@Test
	void refusesAMaxBatchOutOfBounds() {
		assertRefused(valid().with(ENDPOINT + "max_batch", "0"), ENDPOINT + "max_batch",
				"must be greater than or equal to 1");
		assertRefused(valid().with(ENDPOINT + "max_batch", "1001"), ENDPOINT + "max_batch",
				"must be less than or equal to 1000");
	}

	@Test
	void refusesAuthWithoutOrWithBothKeySources() {
		assertRefused(valid().with(ENDPOINT + "auth.issuer", "https://idp.example.com"), ENDPOINT + "auth.jwk_url",
				"or jwk_local_path is required: where the keys that sign the tokens are");
		assertRefused(valid().with(ENDPOINT + "auth.jwk_url", "https://idp.example.com/jwks.json")
			.with(ENDPOINT + "auth.jwk_local_path", "/etc/gateway/jwks.json"), ENDPOINT + "auth.jwk_url",
				"must not be set together with jwk_local_path; the key set comes from one of them");
	}

	@Test
	void refusesAnAlgorithmThatIsNotASignature() {
		for (String alg : List.of("none", "HS1", "EdDSA")) {
			assertThat(refusal(valid().with(ENDPOINT + "auth.jwk_url", "https://idp.example.com/jwks.json")
				.with(ENDPOINT + "auth.alg", alg)).getDescription()).contains(line("Property", ENDPOINT + "auth.alg"))
				.contains("RS256");
		}
		assertRefused(valid().with(ENDPOINT + "auth.jwk_url", "https://idp.example.com/jwks.json")
			.with(ENDPOINT + "auth.alg", "HS256"), ENDPOINT + "auth.alg",
				"needs jwk_local_path: a key set that holds shared secrets is not fetched over the network");
	}

	@Test
	void refusesKeysFetchedWithoutTlsUnlessOnLoopback() {
		assertRefused(valid().with(ENDPOINT + "auth.jwk_url", "http://idp.example.com/jwks.json"),
				ENDPOINT + "auth.jwk_url",
				"must be https; plain http only on a loopback address with disable_jwk_security: true");
		assertRefused(valid().with(ENDPOINT + "auth.jwk_url", "https://idp.example.com/jwks.json")
			.with(ENDPOINT + "auth.disable_jwk_security", "true"), ENDPOINT + "auth.disable_jwk_security",
				"is refused unless jwk_url is on a loopback address (localhost, 127.0.0.1, ::1): keys fetched "
						+ "without TLS could be anyone's");
		for (String url : List.of("http://127.0.0.1:8180/jwks.json", "http://localhost/jwks.json",
				"http://[::1]:8180/jwks.json")) {
			this.runner.withInitializer(valid().with(ENDPOINT + "auth.jwk_url", url)
				.with(ENDPOINT + "auth.disable_jwk_security", "true")::addTo)
				.run((context) -> assertThat(context).hasNotFailed());
		}
	}

	@Test
	void bindsAuthWithKrakendDefaults() {
		this.runner.withInitializer(valid().with(ENDPOINT + "auth.jwk_url", "https://idp.example.com/jwks.json")
			.with(ENDPOINT + "auth.cache_duration", "600")::addTo).run((context) -> {
				Auth auth = context.getBean(GatewayProperties.class).endpoints().get(0).auth();
				assertThat(auth.alg()).isEqualTo("RS256");
				assertThat(auth.cacheDuration()).isEqualTo(java.time.Duration.ofMinutes(10));
				assertThat(auth.cache()).isFalse();
				assertThat(auth.rolesKey()).isEqualTo("roles");
				assertThat(auth.scopesKey()).isEqualTo("scope");
				assertThat(auth.scopesMatcher()).isEqualTo(Auth.ScopesMatcher.ANY);
			});
	}

	@Test
	void refusesARateLimitWithoutARateOrAHeaderStrategyWithoutItsHeader() {
		assertRefused(valid().with(ENDPOINT + "rate_limit.every", "1s"), ENDPOINT + "rate_limit.max_rate",
				"or client_max_rate must be above 0: a rate limit needs a rate");
		assertRefused(valid().with(ENDPOINT + "rate_limit.client_max_rate", "5")
			.with(ENDPOINT + "rate_limit.strategy", "header"), ENDPOINT + "rate_limit.key",
				"is required with strategy: header: the header that names the client");
	}

	@Test
	void refusesCorsCredentialsFromAnyOrigin() {
		assertRefused(valid().with("gateway.cors.allow_credentials", "true"), "gateway.cors.allow_credentials",
				"needs allow_origins to name the origins: credentials are never allowed from any origin");
		this.runner.withInitializer(valid().with("gateway.cors.allow_credentials", "true")
			.with("gateway.cors.allow_origins[0]", "https://app.example.com")::addTo)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void refusesAMethodAProducerCannotPublishWith() {
		assertRefused(producer("/produce").with(ENDPOINT + "method", "GET"), ENDPOINT + "method",
				"must be POST, PUT or PATCH: an AMQP producer endpoint publishes the request's body");
	}

	@Test
	void acceptsPutAndPatchOnAProducerEndpoint() {
		for (String method : List.of("PUT", "patch")) {
			this.runner.withInitializer(producer("/produce").with(ENDPOINT + "method", method)::addTo)
				.run((context) -> assertThat(context).hasNotFailed());
		}
	}

	@Test
	void refusesConsumerAndProducerBackendsOnOneEndpoint() {
		Config config = valid().with(ENDPOINT + "backend[1].host[0]", "amqp://localhost")
			.with(ENDPOINT + "backend[1].amqp.producer.exchange", "out");
		assertRefused(config, ENDPOINT + "backend", "must be all consumers or all producers: an endpoint answers with "
				+ "messages or publishes one");
	}

	@Test
	void refusesABackendThatBothConsumesAndPublishes() {
		assertRefused(valid().with(BACKEND + "amqp.producer.exchange", "out"), BACKEND + "amqp",
				"must hold either consumer or producer settings: a backend consumes or publishes");
	}

	@Test
	void refusesQuorumQueueThatIsNotDurable() {
		assertRefused(valid().with(CONSUMER + "queue_arguments.x-queue-type", "quorum"), CONSUMER + "durable",
				"must be true for a quorum queue (x-queue-type: quorum)");
	}

	@Test
	void refusesQuorumQueueThatIsAutoDelete() {
		assertRefused(valid().with(CONSUMER + "queue_arguments.x-queue-type", "quorum")
			.with(CONSUMER + "durable", "true")
			.with(CONSUMER + "delete", "true"), CONSUMER + "delete",
				"must be false for a quorum queue (x-queue-type: quorum)");
	}

	@Test
	void refusesPathWithoutLeadingSlash() {
		assertRefused(valid().with(ENDPOINT + "endpoint", "orders"), ENDPOINT + "endpoint",
				"must start with '/', as in /orders");
	}

	@ParameterizedTest
	@ValueSource(strings = { "0s", "-1s" })
	void refusesTimeoutThatIsNotPositive(String timeout) {
		assertRefused(valid().with("gateway.timeout", timeout), "gateway.timeout", "must be positive, such as 2s");
	}

	@ParameterizedTest
	@ValueSource(strings = { "0s", "-1s" })
	void refusesEndpointTimeoutThatIsNotPositive(String timeout) {
		assertRefused(valid().with(ENDPOINT + "timeout", timeout), ENDPOINT + "timeout",
				"must be positive, such as 3s");
	}

	@ParameterizedTest
	@ValueSource(strings = { "0s", "-1s" })
	void refusesMaxBackoffThatIsNotPositive(String maxBackoff) {
		assertRefused(valid().with("gateway.max_backoff", maxBackoff), "gateway.max_backoff",
				"must be positive, such as 60s");
	}

	@ParameterizedTest
	@ValueSource(strings = { "0B", "513MB" })
	void refusesMaxMessageSizeOutsideWhatABrokerCanSend(String size) {
		assertRefused(valid().with("gateway.max_message_size", size), "gateway.max_message_size",
				"must be between 1B and 512MB, the largest message RabbitMQ can be configured to accept");
	}

	@Test
	void refusesTimeoutThatIsNotADuration() {
		assertRefused(valid().with("gateway.timeout", "3 secs"), "gateway.timeout",
				"must be a duration such as 500ms, 2s or 1m");
	}

	@Test
	void refusesMisspeltConsumerKey() {
		assertRefused(valid().with(CONSUMER + "prefech_count", "10"), CONSUMER + "prefech_count", UNKNOWN_KEY);
	}

	@Test
	void refusesMisspeltConsumerKeyInYaml() {
		assertRefused(yamlConsumer("""
				routing_key: ["#"]
				prefech_count: 10"""), CONSUMER + "prefech_count", UNKNOWN_KEY);
	}

	@Test
	void refusesUnknownGatewayKey() {
		assertRefused(valid().with("gateway.timeuot", "3s"), "gateway.timeuot", UNKNOWN_KEY);
	}

	@Test
	void showsUnknownKeyWithoutItsValue() {
		FailureAnalysis analysis = refusal(valid().with(BACKEND + "hosts[0]", "amqp://user:s3cret@localhost"));
		assertThat(analysis.getDescription()).contains(line("Property", BACKEND + "hosts[0]"))
			.doesNotContain("s3cret");
	}

	@Test
	void reportsEveryViolationAtOnce() {
		FailureAnalysis analysis = refusal(
				valid().without(CONSUMER + "name").with(CONSUMER + "prefetch_count", "-1").with("gateway.timeout", "0s"));
		assertThat(analysis.getDescription()).containsSubsequence(line("Property", CONSUMER + "name"),
				line("Property", CONSUMER + "prefetch_count"), line("Property", "gateway.timeout"));
	}

	@Test
	void reportsCrossFieldErrorsWithTheViolationsInOneFailure() {
		FailureAnalysis analysis = refusal(yaml("""
				gateway:
				  max_message_size: 0B
				  endpoints:
				    - endpoint: /orders
				      method: POST
				      backend:
				        - host: ["amqp://localhost", "http://guest:s3cret@localhost:5672"]
				          amqp:
				            consumer:
				              name: orders
				              exchange: x
				              routing_key: ["#"]
				              prefetch_count: -1
				              queue_arguments: {x-queue-type: quorum}
				    - endpoint: /orders
				      backend:
				        - host: ["amqp://localhost"]
				          amqp:
				            consumer: {name: orders-2, exchange: x, routing_key: ["#"]}
				"""));
		assertThat(analysis.getDescription()).containsSubsequence(line("Property", CONSUMER + "durable"),
				line("Reason", "must be true for a quorum queue (x-queue-type: quorum)"),
				line("Property", CONSUMER + "prefetch_count"), line("Value", "\"-1\""),
				line("Reason", "must be greater than or equal to 0"), line("Property", BACKEND + "host[1]"),
				line("Value", "\"http://guest:******@localhost:5672\""),
				line("Reason", "must start with amqp:// or amqps://"), line("Property", ENDPOINT + "method"),
				line("Value", "\"POST\""), line("Reason", "must be GET: an AMQP consumer endpoint answers GET only"),
				line("Property", "gateway.endpoints[1].endpoint"), line("Value", "\"/orders\""),
				line("Reason", "is already the path of gateway.endpoints[0]; each endpoint needs its own "
						+ "(set in Byte array resource [resource loaded from byte array] - 4:17)"),
				line("Property", "gateway.max_message_size"),
				line("Reason", "must be between 1B and 512MB, the largest message RabbitMQ can be configured to accept"))
			.doesNotContain("s3cret");
		assertThat(analysis.getDescription().split("Property: ")).hasSize(7);
	}

	@Test
	void reportsUnknownKeysWithTheViolationsInOneFailure() {
		FailureAnalysis analysis = refusal(valid().with(CONSUMER + "prefech_count", "10")
			.with(CONSUMER + "max_retries", "-1")
			.with(ENDPOINT + "method", "POST"));
		assertThat(analysis.getDescription()).containsSubsequence(line("Property", CONSUMER + "max_retries"),
				line("Property", CONSUMER + "prefech_count"), line("Reason", UNKNOWN_KEY),
				line("Property", ENDPOINT + "method"));
	}

	@Test
	void ordersEndpointsByIndexNotAsText() {
		Config config = valid();
		for (int i = 1; i <= 10; i++) {
			config.with("gateway.endpoints[" + i + "].endpoint", "/orders" + i);
		}
		assertThat(refusal(config).getDescription()).containsSubsequence(
				line("Property", "gateway.endpoints[2].backend"), line("Property", "gateway.endpoints[10].backend"));
	}

	@Test
	void ignoresListElementsOfASourceThatAnotherSourceOverrides() {
		Config overriding = valid().with(CONSUMER + "name", "from-override");
		PropertySource<?> replaced = new MapPropertySource("replaced",
				Map.of("gateway.endpoints[1].endpoint", "/replaced",
						"gateway.endpoints[1].backend[0].amqp.consumer.name", "replaced"));
		this.runner.withInitializer((context) -> context.getEnvironment().getPropertySources().addLast(replaced))
			.withInitializer(overriding::addTo)
			.run((context) -> assertThat(context.getBean(GatewayProperties.class).endpoints())
				.singleElement()
				.satisfies((endpoint) -> assertThat(consumer(endpoint).name()).isEqualTo("from-override")));
	}

	@Test
	void ignoresListElementsOfASourceThatAnEmptyListOverrides() {
		Config emptied = yaml("""
				gateway:
				  endpoints: []
				""");
		PropertySource<?> replaced = new MapPropertySource("replaced", Map.of("gateway.endpoints[0].endpoint", "/replaced",
				"gateway.endpoints[0].backend[0].amqp.consumer.name", "replaced"));
		this.runner.withInitializer((context) -> context.getEnvironment().getPropertySources().addLast(replaced))
			.withInitializer(emptied::addTo)
			.run((context) -> assertThat(context.getBean(GatewayProperties.class).endpoints()).isEmpty());
	}

	@Test
	void bindsTheKrakendExample() {
		Config config = yaml("""
				gateway:
				  timeout: 2s
				  endpoints:
				    - endpoint: /orders
				      method: GET
				      timeout: 3s
				      backend:
				        - host: ["amqp://guest:guest@localhost:5672"]
				          encoding: json
				          is_collection: false
				          group: ""
				          amqp:
				            consumer:
				              name: queue-1
				              exchange: some-exchange
				              durable: true
				              delete: false
				              no_wait: true
				              no_local: false
				              routing_key: ["#"]
				              prefetch_count: 10
				              auto_ack: false
				              backoff_strategy: exponential-jitter
				""");
		this.runner.withInitializer(config::addTo).run((context) -> {
			GatewayProperties properties = context.getBean(GatewayProperties.class);
			assertThat(properties.timeout()).isEqualTo(Duration.ofSeconds(2));
			Endpoint endpoint = properties.endpoints().get(0);
			assertThat(endpoint.endpoint()).isEqualTo("/orders");
			assertThat(endpoint.method()).isEqualTo("GET");
			assertThat(properties.timeoutOf(endpoint)).isEqualTo(Duration.ofSeconds(3));
			Backend backend = endpoint.backend().get(0);
			assertThat(backend.host()).containsExactly("amqp://guest:guest@localhost:5672");
			assertThat(backend.encoding()).isEqualTo(Encoding.JSON);
			assertThat(backend.isCollection()).isFalse();
			assertThat(backend.group()).isEmpty();
			Consumer consumer = backend.amqp().consumer();
			assertThat(consumer.name()).isEqualTo("queue-1");
			assertThat(consumer.exchange()).isEqualTo("some-exchange");
			assertThat(consumer.durable()).isTrue();
			assertThat(consumer.delete()).isFalse();
			assertThat(consumer.noWait()).isTrue();
			assertThat(consumer.noLocal()).isFalse();
			assertThat(consumer.routingKey()).containsExactly("#");
			assertThat(consumer.prefetchCount()).isEqualTo(10);
			assertThat(consumer.autoAck()).isFalse();
			assertThat(consumer.backoffStrategy()).isEqualTo(BackoffStrategy.EXPONENTIAL_JITTER);
			assertThat(consumer.exchangeType()).isEqualTo(ExchangeType.TOPIC);
			assertThat(consumer.exclusive()).isFalse();
			assertThat(consumer.nackDiscard()).isFalse();
			assertThat(consumer.maxRetries()).isZero();
			assertThat(consumer.queueArguments()).isEmpty();
			assertThat(consumer.declare()).isTrue();
		});
	}

	@Test
	void appliesTheSpecDefaults() {
		this.runner.withInitializer(valid()::addTo).run((context) -> {
			GatewayProperties properties = context.getBean(GatewayProperties.class);
			assertThat(properties.timeout()).isEqualTo(Duration.ofSeconds(2));
			assertThat(properties.maxBackoff()).isEqualTo(Duration.ofSeconds(60));
			Endpoint endpoint = properties.endpoints().get(0);
			assertThat(endpoint.effectiveMethod()).isEqualTo("GET");
			assertThat(properties.timeoutOf(endpoint)).isEqualTo(Duration.ofSeconds(2));
			Backend backend = endpoint.backend().get(0);
			assertThat(backend.encoding()).isEqualTo(Encoding.JSON);
			assertThat(backend.isCollection()).isFalse();
			assertThat(backend.group()).isEmpty();
			assertThat(backend.disableHostSanitize()).isFalse();
			Consumer consumer = consumer(endpoint);
			assertThat(consumer.exchangeType()).isEqualTo(ExchangeType.TOPIC);
			assertThat(consumer.durable()).isFalse();
			assertThat(consumer.delete()).isFalse();
			assertThat(consumer.exclusive()).isFalse();
			assertThat(consumer.noWait()).isFalse();
			assertThat(consumer.noLocal()).isFalse();
			assertThat(consumer.prefetchCount()).isZero();
			assertThat(consumer.autoAck()).isFalse();
			assertThat(consumer.nackDiscard()).isFalse();
			assertThat(consumer.maxRetries()).isZero();
			assertThat(consumer.backoffStrategy()).isEqualTo(BackoffStrategy.FALLBACK);
			assertThat(consumer.queueArguments()).isEmpty();
			assertThat(consumer.declare()).isTrue();
		});
	}

	@Test
	void bindsRoutingKeyGivenAsPlainStringAsOneKey() {
		assertConsumer(yamlConsumer("routing_key: \"#\""),
				(consumer) -> assertThat(consumer.routingKey()).containsExactly("#"));
	}

	@Test
	void splitsRoutingKeyGivenAsPlainStringAtCommas() {
		assertConsumer(yamlConsumer("routing_key: \"orders.*,audit.#\""),
				(consumer) -> assertThat(consumer.routingKey()).containsExactly("orders.*", "audit.#"));
	}

	@Test
	void acceptsDisableHostSanitize() {
		this.runner.withInitializer(valid().with(BACKEND + "disable_host_sanitize", "true")::addTo)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void keepsQueueArgumentNumbersAsNumbers() {
		Config config = yamlConsumer("""
				routing_key: ["#"]
				durable: true
				queue_arguments: {x-max-length: 1000, x-queue-type: quorum}""");
		assertConsumer(config, (consumer) -> assertThat(consumer.queueArguments())
			.containsExactly(entry("x-max-length", 1000), entry("x-queue-type", "quorum")));
	}

	@ParameterizedTest
	@CsvSource({ "routing_key, prefetch_count, is_collection", "routing-key, prefetch-count, is-collection",
			"routingKey, prefetchCount, isCollection" })
	void bindsEverySpellingOfAKey(String routingKey, String prefetchCount, String isCollection) {
		Config config = valid().without(CONSUMER + "routing_key[0]")
			.with(CONSUMER + routingKey + "[0]", "orders.#")
			.with(CONSUMER + prefetchCount, "7")
			.with(BACKEND + isCollection, "true");
		this.runner.withInitializer(config::addTo).run((context) -> {
			Endpoint endpoint = context.getBean(GatewayProperties.class).endpoints().get(0);
			assertThat(consumer(endpoint).routingKey()).containsExactly("orders.#");
			assertThat(consumer(endpoint).prefetchCount()).isEqualTo(7);
			assertThat(endpoint.backend().get(0).isCollection()).isTrue();
		});
	}

	@Test
	void bindsAnAgentWithItsDefaults() {
		this.runner.withInitializer(agent()::addTo).run((context) -> {
			assertThat(context).hasNotFailed();
			GatewayProperties properties = context.getBean(GatewayProperties.class);
			AsyncAgent agent = properties.asyncAgents().get(0);
			assertThat(agent.connection().maxRetries()).isZero();
			assertThat(agent.connection().backoffStrategy()).isEqualTo(BackoffStrategy.FALLBACK);
			assertThat(agent.connection().healthInterval()).isEqualTo(Duration.ofSeconds(1));
			assertThat(agent.consumer().workers()).isEqualTo(1);
			assertThat(agent.consumer().maxRate()).isZero();
			assertThat(properties.timeoutOf(agent)).isEqualTo(properties.timeout());
			assertThat(agent.backend().get(0).method()).isEqualTo("GET");
			assertThat(agent.backend().get(0).encoding()).isEqualTo("json");
			assertThat(agent.amqp().exchangeType()).isEqualTo(ExchangeType.TOPIC);
			assertThat(agent.amqp().prefetchCount()).isZero();
			assertThat(agent.amqp().autoAck()).isFalse();
			assertThat(agent.amqp().declare()).isTrue();
			assertThat(agent.prefetch()).isEqualTo(1);
			Consumer queue = agent.amqpBackend().consumer();
			assertThat(queue.routingKey()).containsExactly("invoice.#");
			assertThat(queue.prefetchCount()).isEqualTo(1);
		});
	}

	@Test
	void takesAnAgentsPrefetchAsAtLeastItsWorkers() {
		this.runner.withInitializer(agent().with(AGENT + "consumer.workers", "4")
			.with(AGENT + "amqp.prefetch_count", "2")::addTo)
			.run((context) -> assertThat(context.getBean(GatewayProperties.class).asyncAgents().get(0).prefetch())
				.isEqualTo(4));
	}

	@Test
	void acceptsEveryMethodAnAgentCanSendWith() {
		for (String method : List.of("GET", "post", "PUT", "Patch", "DELETE")) {
			this.runner.withInitializer(agent().with(AGENT_BACKEND + "method", method)::addTo)
				.run((context) -> assertThat(context).hasNotFailed());
		}
	}

	@Test
	void refusesAgentWithoutName() {
		assertRefused(agent().without(AGENT + "name"), AGENT + "name",
				"is required: the agent's name, in logs, health and meters");
	}

	@Test
	void refusesAgentNameThatIsNoHealthComponentName() {
		assertRefused(agent().with(AGENT + "name", "billing agent"), AGENT + "name",
				"must use only letters, digits, '.', '_', '~' and '-': it is also the name of the agent's health component");
	}

	@Test
	void refusesTwoAgentsWithTheSameName() {
		Config config = agent();
		agent(config, 1).with("gateway.async_agents[1].name", "billing");
		assertRefused(config, "gateway.async_agents[1].name",
				"is already the name of gateway.async_agents[0]; each agent needs its own");
	}

	@Test
	void refusesAgentWithoutTopic() {
		assertRefused(agent().without(AGENT + "consumer.topic").with(AGENT + "consumer.workers", "2"),
				AGENT + "consumer.topic", "is required: the binding key of the agent's queue, such as \"#\"");
	}

	@Test
	void refusesAgentWithoutConsumer() {
		assertRefused(agent().without(AGENT + "consumer.topic"), AGENT + "consumer",
				"is required: the agent's consumer.topic, at least");
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "-1" })
	void refusesAgentWithoutWorkers(String workers) {
		assertRefused(agent().with(AGENT + "consumer.workers", workers), AGENT + "consumer.workers",
				"must be greater than or equal to 1");
	}

	@Test
	void refusesNegativeMaxRate() {
		assertRefused(agent().with(AGENT + "consumer.max_rate", "-0.5"), AGENT + "consumer.max_rate",
				"must be greater than or equal to 0");
	}

	@Test
	void refusesAgentWithoutExchange() {
		assertRefused(agent().without(AGENT + "amqp.exchange"), AGENT + "amqp.exchange",
				"is required: the exchange to bind the queue to");
	}

	@Test
	void refusesAgentBrokerHostThatIsNotAnAmqpUrl() {
		assertRefused(agent().with(AGENT + "amqp.host[0]", "http://localhost:5672"), AGENT + "amqp.host[0]",
				"must start with amqp:// or amqps://");
	}

	@Test
	void refusesAgentBackendHostThatIsNotAnHttpUrl() {
		assertRefused(agent().with(AGENT_BACKEND + "host[0]", "amqp://billing:8080"), AGENT_BACKEND + "host[0]",
				"must start with http:// or https://");
	}

	@Test
	void refusesAgentBackendHostWithoutHost() {
		assertRefused(agent().with(AGENT_BACKEND + "host[0]", "http:///invoices"), AGENT_BACKEND + "host[0]",
				"must name a host, as in http://billing:8080");
		assertRefused(agent().with(AGENT_BACKEND + "host[0]", "https://billing_svc"), AGENT_BACKEND + "host[0]",
				"has no valid host name: use letters, digits, '-' and '.' only");
	}

	@Test
	void refusesAgentBackendHostWithPortOutOfRange() {
		assertRefused(agent().with(AGENT_BACKEND + "host[0]", "http://billing:70000"), AGENT_BACKEND + "host[0]",
				"must have a port between 1 and 65535");
	}

	@Test
	void refusesAgentBackendHostWithQuery() {
		assertRefused(agent().with(AGENT_BACKEND + "host[0]", "http://billing:8080?tenant=a"), AGENT_BACKEND + "host[0]",
				"must have no query or fragment: url_pattern is appended to it");
	}

	@Test
	void refusesAgentBackendHostsLaterInTheList() {
		Config config = agent().with("gateway.async_agents[0].backend[1].host[0]", "http://billing:8080")
			.with("gateway.async_agents[0].backend[1].host[1]", "billing:8080")
			.with("gateway.async_agents[0].backend[1].url_pattern", "/audit");
		assertRefused(config, "gateway.async_agents[0].backend[1].host[1]", "must start with http:// or https://");
	}

	@Test
	void refusesAgentMethodOtherThanTheHttpOnesItSendsWith() {
		assertRefused(agent().with(AGENT_BACKEND + "method", "PUBLISH"), AGENT_BACKEND + "method",
				"must be GET, POST, PUT, PATCH or DELETE");
	}

	@Test
	void refusesUrlPatternWithoutLeadingSlash() {
		assertRefused(agent().with(AGENT_BACKEND + "url_pattern", "invoices"), AGENT_BACKEND + "url_pattern",
				"must start with '/', as in /invoices");
	}

	@Test
	void refusesAgentQuorumQueueThatIsNotDurable() {
		assertRefused(agent().with(AGENT + "amqp.queue_arguments.x-queue-type", "quorum"), AGENT + "amqp.durable",
				"must be true for a quorum queue (x-queue-type: quorum)");
	}

	@Test
	void refusesAgentQuorumQueueThatIsExclusive() {
		assertRefused(agent().with(AGENT + "amqp.queue_arguments.x-queue-type", "quorum")
			.with(AGENT + "amqp.durable", "true")
			.with(AGENT + "amqp.exclusive", "true"), AGENT + "amqp.exclusive",
				"must be false for a quorum queue (x-queue-type: quorum)");
	}

	@Test
	void refusesAgentTlsBundleBesideTrustStore() {
		assertRefused(agent().with(AGENT + "amqp.tls.bundle", "rabbit")
			.with(AGENT + "amqp.tls.trust_store", "file:/etc/gateway/ca.p12"), AGENT + "amqp.tls.bundle",
				"must not be set together with tls.trust_store; the bundle holds the trust and key material");
	}

	@Test
	void refusesMisspeltAgentKey() {
		assertRefused(agent().with(AGENT + "consumer.worker", "4"), AGENT + "consumer.worker", UNKNOWN_KEY);
	}

	@Test
	void refusesMisspeltAgentKeyInYaml() {
		assertRefused(yaml("""
				gateway:
				  async_agents:
				    - name: billing
				      consumer: {topic: "invoice.#"}
				      backend:
				        - host: ["http://billing:8080"]
				          url_pattern: /invoices
				          methd: POST
				      amqp: {host: "amqp://localhost", name: invoices, exchange: billing}
				"""), AGENT_BACKEND + "methd", UNKNOWN_KEY);
	}

	@Test
	void reportsEveryAgentProblemAtOnceWithoutPasswords() {
		Config config = agent().with(AGENT + "consumer.workers", "0")
			.with(AGENT_BACKEND + "host[0]", "ftp://user:s3cret@billing")
			.with(AGENT_BACKEND + "method", "SEND")
			.with(AGENT + "amqp.host[0]", "http://guest:s3cret@localhost:5672");
		agent(config, 1).with("gateway.async_agents[1].name", "billing").with("gateway.async_agents[1].max_rat", "1");
		FailureAnalysis analysis = refusal(config);
		assertThat(analysis.getDescription()).containsSubsequence(line("Property", AGENT + "amqp.host[0]"),
				line("Value", "\"http://guest:******@localhost:5672\""), line("Property", AGENT_BACKEND + "host[0]"),
				line("Value", "\"ftp://user:******@billing\""), line("Property", AGENT_BACKEND + "method"),
				line("Property", AGENT + "consumer.workers"), line("Property", "gateway.async_agents[1].max_rat"),
				line("Property", "gateway.async_agents[1].name"))
			.doesNotContain("s3cret");
		assertThat(analysis.getDescription().split("Property: ")).hasSize(7);
	}

	private void assertRefused(Config config, String key, String reason) {
		assertThat(refusal(config).getDescription()).contains(line("Property", key))
			.contains(line("Reason", reason));
	}

	private void assertConsumer(Config config, java.util.function.Consumer<Consumer> assertion) {
		this.runner.withInitializer(config::addTo)
			.run((context) -> assertion.accept(consumer(context.getBean(GatewayProperties.class).endpoints().get(0))));
	}

	/**
	 * The report of a refused configuration, as {@code SpringApplication} prints it under
	 * "APPLICATION FAILED TO START": from the first failure analyzer that knows the failure.
	 */
	private FailureAnalysis refusal(Config config) {
		List<FailureAnalysis> analyses = new ArrayList<>();
		this.runner.withInitializer(config::addTo).run((context) -> analyses.add(analyze(context, config)));
		return analyses.get(0);
	}

	private static FailureAnalysis analyze(AssertableApplicationContext context, Config config) {
		assertThat(context).hasFailed();
		StandardEnvironment environment = new StandardEnvironment();
		config.sources.forEach(environment.getPropertySources()::addFirst);
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
				.and(Environment.class, environment));
		return analyzers.stream()
			.map((analyzer) -> analyzer.analyze(context.getStartupFailure()))
			.filter(Objects::nonNull)
			.findFirst()
			.orElseThrow(() -> new AssertionError("No failure analysis for " + context.getStartupFailure()));
	}

	private static String line(String label, String value) {
		return String.format("    %s: %s%n", label, value);
	}

	private static Consumer consumer(Endpoint endpoint) {
		return endpoint.backend().get(0).consumer();
	}

	private static Config producer(String path) {
		return new Config().with(ENDPOINT + "endpoint", path)
			.with(BACKEND + "host[0]", "amqp://localhost")
			.with(PRODUCER + "exchange", "out");
	}

	private static Config valid() {
		return new Config().with(ENDPOINT + "endpoint", "/orders")
			.with(BACKEND + "host[0]", "amqp://localhost")
			.with(CONSUMER + "name", "q")
			.with(CONSUMER + "exchange", "x")
			.with(CONSUMER + "routing_key[0]", "#");
	}

	private static Config agent() {
		return agent(new Config(), 0);
	}

	/**
	 * Add a valid agent named billing at the given index of {@code gateway.async_agents}.
	 */
	private static Config agent(Config config, int index) {
		String agent = "gateway.async_agents[" + index + "].";
		return config.with(agent + "name", "billing")
			.with(agent + "consumer.topic", "invoice.#")
			.with(agent + "backend[0].host[0]", "http://billing:8080")
			.with(agent + "backend[0].url_pattern", "/invoices")
			.with(agent + "amqp.host[0]", "amqp://localhost")
			.with(agent + "amqp.name", "invoices")
			.with(agent + "amqp.exchange", "billing");
	}

	private static Config yamlConsumer(String consumerKeys) {
		String indented = consumerKeys.replace("\n", "\n              ");
		return yaml("""
				gateway:
				  endpoints:
				    - endpoint: /orders
				      backend:
				        - host: ["amqp://localhost"]
				          amqp:
				            consumer:
				              name: q
				              exchange: x
				              %s
				""".formatted(indented));
	}

	private static Config yaml(String yaml) {
		try {
			Config config = new Config();
			new YamlPropertySourceLoader()
				.load("application.yaml", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))
				.forEach(config.sources::add);
			return config;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A configuration under test: flat properties or YAML documents.
	 */
	private static final class Config {

		private final Map<String, Object> properties = new LinkedHashMap<>();

		private final List<PropertySource<?>> sources = new ArrayList<>(
				List.of(new MapPropertySource("test", this.properties)));

		Config with(String key, String value) {
			this.properties.put(key, value);
			return this;
		}

		Config without(String key) {
			this.properties.remove(key);
			return this;
		}

		void addTo(ConfigurableApplicationContext context) {
			this.sources.forEach(context.getEnvironment().getPropertySources()::addFirst);
		}

	}

}
