package dev.amqpgateway.agent;

import java.time.Duration;
import java.util.List;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.config.AsyncAgent;
import dev.amqpgateway.config.BackoffStrategy;
import dev.amqpgateway.config.GatewayProperties;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.HttpSink;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * KrakenD's async agent example, as written in {@code application-krakend-agent.yaml}, binds and
 * runs: a message whose routing key matches its topic {@code *} reaches the HTTP server and
 * leaves the queue; one the topic does not match never reaches the queue.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ActiveProfiles("krakend-agent")
@AutoConfigureWebTestClient(timeout = "30s")
class KrakendAgentExampleIntegrationTests {

	static final HttpSink SINK = HttpSink.start();

	static final String QUEUE = GatewayEndpoints.unique("krakend");

	static final String EXCHANGE = GatewayEndpoints.unique("foo");

	@Autowired
	GatewayProperties properties;

	@Autowired
	WebTestClient client;

	@DynamicPropertySource
	static void placeholders(DynamicPropertyRegistry registry) {
		registry.add("krakend-agent.backend", SINK::url);
		registry.add("krakend-agent.queue", () -> QUEUE);
		registry.add("krakend-agent.broker", TestBroker::url);
		registry.add("krakend-agent.exchange", () -> EXCHANGE);
	}

	@AfterAll
	static void cleanUp() {
		SINK.close();
		TestBroker.delete(List.of(QUEUE), EXCHANGE);
	}

	@Test
	void bindsEveryKeyOfTheExample() {
		assertThat(this.properties.endpoints()).isEmpty();
		AsyncAgent agent = this.properties.asyncAgents().get(0);
		assertThat(agent.name()).isEqualTo("cool-agent");
		assertThat(agent.connection().maxRetries()).isEqualTo(10);
		assertThat(agent.connection().backoffStrategy()).isEqualTo(BackoffStrategy.EXPONENTIAL_JITTER);
		assertThat(agent.connection().healthInterval()).isEqualTo(Duration.ofSeconds(10));
		assertThat(agent.consumer().topic()).isEqualTo("*");
		assertThat(agent.consumer().workers()).isEqualTo(1);
		assertThat(agent.consumer().timeout()).isEqualTo(Duration.ofMillis(150));
		assertThat(agent.consumer().maxRate()).isEqualTo(0.5);
		assertThat(agent.backend()).singleElement().satisfies((backend) -> {
			assertThat(backend.host()).containsExactly(SINK.url());
			assertThat(backend.urlPattern()).isEqualTo("/cool-agent/messages");
			assertThat(backend.method()).isEqualTo("POST");
		});
		AsyncAgent.Amqp amqp = agent.amqp();
		assertThat(amqp.name()).isEqualTo(QUEUE);
		assertThat(amqp.host()).containsExactly(TestBroker.url());
		assertThat(amqp.exchange()).isEqualTo(EXCHANGE);
		assertThat(amqp.durable()).isTrue();
		assertThat(amqp.delete()).isFalse();
		assertThat(amqp.exclusive()).isFalse();
		assertThat(amqp.noWait()).isTrue();
		assertThat(amqp.prefetchCount()).isEqualTo(5);
		assertThat(amqp.autoAck()).isFalse();
		assertThat(agent.prefetch()).isEqualTo(5);
	}

	@Test
	void sendsAMessageTheTopicMatchesAndLeavesTheQueueEmpty() {
		// Published first: were it routed to the queue, the agent's one worker would send it first.
		TestBroker.publish(EXCHANGE, "invoice.paid", "{\"words\":2}");
		TestBroker.publish(EXCHANGE, "invoice", "{\"words\":1}");
		await().atMost(Duration.ofSeconds(20)).until(() -> !SINK.requests("cool-agent/messages").isEmpty());
		await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(QUEUE).total() == 0);
		// The timeout is 150ms: a slow first answer may have the message sent again, never another one.
		assertThat(SINK.requests("cool-agent/messages")).allSatisfy((request) -> {
			assertThat(request.method()).isEqualTo("POST");
			assertThat(request.body()).isEqualTo("{\"words\":1}");
			assertThat(request.headers().get("X-Amqp-Routing-Key")).isEqualTo("invoice");
		});
		actuator().get().uri("/actuator/health/agents/cool-agent").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("UP").jsonPath("$.details.queue").isEqualTo(QUEUE);
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
