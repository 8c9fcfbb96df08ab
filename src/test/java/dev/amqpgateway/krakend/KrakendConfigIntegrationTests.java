package dev.amqpgateway.krakend;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.amqpgateway.AmqpGatewayApplication;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.HttpSink;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * KrakenD files run as they are, started the way the README says
 * ({@code --gateway.krakend-config=...}): the examples of KrakenD's documentation, each then
 * exercised against the broker, and the files the gateway refuses, each refused with its JSON path.
 */
@ExtendWith(OutputCaptureExtension.class)
class KrakendConfigIntegrationTests {

	private final List<ConfigurableApplicationContext> gateways = new ArrayList<>();

	@AfterEach
	void stop() {
		this.gateways.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void theConsumerExampleRunsBesideTheApplicationsOwnEndpoints(CapturedOutput output) {
		WebTestClient client = start("--gateway.krakend-config=classpath:krakend/krakend.json");
		TestBroker.admin().purgeQueue("queue-1");
		TestBroker.publish("some-exchange", "orders.new", "{\"id\": 1, \"item\": \"book\"}");
		client.get().uri("/consume").exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.id").isEqualTo(1).jsonPath("$.item").isEqualTo("book");
		// the configuration's own consumer of the same queue runs beside it
		TestBroker.publish("some-exchange", "orders.new", "{\"id\": 2}");
		client.get().uri("/orders").exchange().expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(2);
		assertThat(output.getAll()).contains("not run: $.port");
	}

	@Test
	void bothProducerExamplesPublish() {
		String queue = GatewayEndpoints.unique("krakend-produced");
		TestBroker.admin().declareQueue(QueueBuilder.nonDurable(queue).build());
		WebTestClient client = start("--spring.config.name=krakend-only",
				"--gateway.krakend-config=classpath:krakend/producer-examples.json");
		TestBroker.admin().declareBinding(new Binding(queue, Binding.DestinationType.QUEUE, "some-exchange", "#", null));
		try {
			client.post().uri("/produce").bodyValue("{\"static\": true}").exchange().expectStatus().isOk();
			Message first = TestBroker.template().receive(queue, 10_000);
			assertThat(first).isNotNull();
			assertThat(new String(first.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"static\": true}");
			assertThat(first.getMessageProperties().getReceivedRoutingKey()).isEqualTo("#");
			client.post().uri("/produce/60000/replies/order-7/5/orders.new").bodyValue("{\"order\": 7}")
				.exchange().expectStatus().isOk().expectBody().jsonPath("$.message_id").isEqualTo("order-7");
			Message second = TestBroker.template().receive(queue, 10_000);
			assertThat(second).isNotNull();
			assertThat(second.getMessageProperties().getMessageId()).isEqualTo("order-7");
			assertThat(second.getMessageProperties().getPriority()).isEqualTo(5);
			assertThat(second.getMessageProperties().getExpiration()).isEqualTo("60000");
			assertThat(second.getMessageProperties().getReplyTo()).isEqualTo("replies");
			assertThat(second.getMessageProperties().getReceivedRoutingKey()).isEqualTo("orders.new");
		}
		finally {
			TestBroker.admin().deleteQueue(queue);
		}
	}

	@Test
	void theAsyncAgentExampleSendsAMessageToItsBackend(@TempDir Path dir) throws Exception {
		try (HttpSink sink = HttpSink.start()) {
			String text = new ClassPathResource("krakend/agent-example.json").getContentAsString(StandardCharsets.UTF_8)
				.replace("SINK_URL", sink.url());
			Path file = Files.writeString(dir.resolve("krakend.json"), text);
			start("--spring.config.name=krakend-only", "--gateway.krakend-config=file:" + file);
			TestBroker.admin().purgeQueue("krakend");
			TestBroker.publish("foo", "cool", "{\"cool\": 1}");
			await().atMost(Duration.ofSeconds(20)).until(() -> sink.requests("__debug/cool-agent").size() == 1);
			assertThat(sink.requests("__debug/cool-agent").get(0).body()).isEqualTo("{\"cool\": 1}");
			await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth("krakend").total() == 0);
		}
	}

	@Test
	void anHttpBackendIsSkippedWithItsJsonPathAndTheLegacyNamespaceRuns(CapturedOutput output) {
		WebTestClient client = start("--spring.config.name=krakend-only",
				"--gateway.krakend-config=classpath:krakend/mixed.json");
		assertThat(output.getAll()).contains("not run: $.endpoints[0].backend[0]: an HTTP backend")
			.contains("not run: $.endpoints[1]: endpoint /http-only has no AMQP backend")
			.contains("not run: $.endpoints[0].backend[1].extra_config[\"github.com/devopsfaith/krakend-amqp/consume\"]"
					+ ".prefetch_size");
		TestBroker.publish("krakend-mixed", "any", "{\"mixed\": 1}");
		client.get().uri("/mixed").exchange().expectStatus().isOk().expectBody().jsonPath("$.mixed").isEqualTo(1);
		client.get().uri("/http-only").exchange().expectStatus().isNotFound();
		TestBroker.delete(List.of("krakend-mixed"), "krakend-mixed");
	}

	@Test
	void strictModeStopsStartupAtWhatWouldBeSkipped(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("--spring.config.name=krakend-only",
				"--gateway.krakend-config=classpath:krakend/mixed.json", "--gateway.krakend-strict=true"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("$.endpoints[0].backend[0]: an HTTP backend")
			.contains("gateway.krakend_strict is true");
	}

	@Test
	void aRefusedValueStopsStartupWithItsJsonPathAndLine(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("--spring.config.name=krakend-only",
				"--gateway.krakend-config=classpath:krakend/refused.json"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("$.endpoints[0].backend[0].extra_config[\"backend/amqp/consumer\"].prefetch_count in "
					+ "classpath:krakend/refused.json (line 15,");
	}

	@Test
	void anEndpointWithAProtectionNotEnforcedIsNeverServed(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("--spring.config.name=krakend-only",
				"--gateway.krakend-config=classpath:krakend/protected.json"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("$.endpoints[0].extra_config[\"auth/api-keys\"]: endpoint /protected asks for auth/api-keys");
	}

	@Test
	void jwtValidationRateLimitsAndCorsRunEnforced(CapturedOutput output) {
		WebTestClient client = start("--spring.config.name=krakend-only",
				"--gateway.krakend-config=classpath:krakend/secured.json");
		client.get().uri("/krakend-secured").exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().valueEquals("WWW-Authenticate", "Bearer");
		client.get().uri("/krakend-limited").exchange().expectStatus().isNoContent();
		client.get().uri("/krakend-limited").exchange().expectStatus().isEqualTo(429)
			.expectHeader().exists("Retry-After");
		client.options().uri("/krakend-secured")
			.header("Origin", "https://app.example.com")
			.header("Access-Control-Request-Method", "GET")
			.exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("Access-Control-Allow-Origin", "https://app.example.com")
			.expectHeader().valueEquals("Access-Control-Max-Age", "43200");
		assertThat(output.getAll()).contains("roles_key_is_nested of the auth/validator of endpoint /krakend-secured")
			.contains("debug of the CORS settings");
	}

	@Test
	void aKeyOfAnEnforcedProtectionThatIsNotEnforcedStopsStartup(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("--spring.config.name=krakend-only",
				"--gateway.krakend-config=classpath:krakend/unenforced-key.json"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("$.endpoints[0].extra_config[\"auth/validator\"].jwk_fingerprints: jwk_fingerprints of the "
					+ "auth/validator of endpoint /pinned is not enforced by this gateway");
	}

	@Test
	void aPathDefinedInBothSourcesStopsStartupNamingBothPlaces(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("--gateway.krakend-config=classpath:krakend/duplicate.json"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("Origin: $.endpoints[0].endpoint in classpath:krakend/duplicate.json (line 5,")
			.contains("is already the path of gateway.endpoints[0]; each endpoint needs its own (set in class path resource [application.yaml]");
	}

	@Test
	void anotherVersionOrTemplateSyntaxStopsStartup(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("--spring.config.name=krakend-only",
				"--gateway.krakend-config=classpath:krakend/version2.json"));
		assertThat(output.getAll()).contains("$.version: must be 3");
		assertThatException().isThrownBy(() -> start("--spring.config.name=krakend-only",
				"--gateway.krakend-config=classpath:krakend/template.json"));
		assertThat(output.getAll()).contains("line 3 holds template syntax");
	}

	private WebTestClient start(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--server.port=0");
		ConfigurableApplicationContext gateway = new SpringApplicationBuilder(AmqpGatewayApplication.class)
			.web(WebApplicationType.REACTIVE)
			.run(all.toArray(String[]::new));
		this.gateways.add(gateway);
		String port = gateway.getEnvironment().getProperty("local.server.port");
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30))
			.build();
	}

}
