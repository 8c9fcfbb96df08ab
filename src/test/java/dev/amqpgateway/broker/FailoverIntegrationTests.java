package dev.amqpgateway.broker;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.support.BackendLog;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every URL of a backend's {@code host} list is used, in order, each with its own credentials and
 * virtual host: the gateway connects to the next URL when one is down, and fails over to another
 * when the broker it is connected to goes.
 *
 * <p>Reconnects come every half second here, so a backend is down only briefly: its loss is read
 * from the log, which keeps it, rather than from its status, which a reconnect may already have
 * changed.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class FailoverIntegrationTests {

	static final String USER = GatewayEndpoints.unique("gateway-user");

	static final String PASSWORD = "pw-" + UUID.randomUUID();

	static final String VHOST = GatewayEndpoints.unique("gateway-vhost");

	static final String EXCHANGE = GatewayEndpoints.unique("failover-x");

	static final String SECOND_QUEUE = GatewayEndpoints.unique("second-url");

	static final String FAILOVER_QUEUE = GatewayEndpoints.unique("failover");

	static final TcpProxy DOWN = TcpProxy.to(TestBroker.host(), TestBroker.port()).refuse();

	static final TcpProxy FIRST = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final TcpProxy SECOND = TcpProxy.to(TestBroker.host(), TestBroker.port());

	@BeforeAll
	static void createUserAndVirtualHost() {
		TestBroker.rabbitmqctl("add_vhost", VHOST);
		TestBroker.rabbitmqctl("add_user", USER, PASSWORD);
		TestBroker.rabbitmqctl("set_permissions", "-p", VHOST, USER, ".*", ".*", ".*");
	}

	@AfterAll
	static void deleteUserAndVirtualHost() {
		DOWN.close();
		FIRST.close();
		SECOND.close();
		TestBroker.rabbitmqctl("delete_user", USER);
		TestBroker.rabbitmqctl("delete_vhost", VHOST);
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/second-url", consumer(SECOND_QUEUE, EXCHANGE,
					"host[0]", TestBroker.urlFor(DOWN.port()),
					"host[1]", "amqp://" + USER + ":" + PASSWORD + "@" + TestBroker.host() + ":" + TestBroker.port()
							+ "/" + VHOST))
			.endpoint("/failover", consumer(FAILOVER_QUEUE, EXCHANGE, "amqp.consumer.routing_key[0]", FAILOVER_QUEUE,
					"host[0]", TestBroker.urlFor(FIRST.port()),
					"host[1]", TestBroker.urlFor(SECOND.port())))
			.addTo(registry);
		// A message published before a request always reaches it, however busy the machine.
		registry.add("gateway.timeout", () -> "30s");
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ConsumerBackends backends;

	@Test
	void connectsToTheNextUrlWithItsOwnCredentialsAndVirtualHostWhenTheFirstIsDown() {
		assertThat(backend("/second-url").status().isUp()).isTrue();
		// The first URL was tried, and refused: a refused connection never counts as a live one.
		assertThat(DOWN.accepted()).isNotEmpty();
		assertThat(TestBroker.rabbitmqctl("list_queues", "-q", "-p", VHOST, "name")).contains(SECOND_QUEUE);
		assertThat(TestBroker.rabbitmqctl("list_queues", "-q", "name")).doesNotContain(SECOND_QUEUE);
		publishInVirtualHost("{\"vhost\": \"" + VHOST + "\"}");
		this.client.get().uri("/second-url").exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"vhost\": \"" + VHOST + "\"}", true);
		assertThat(backend("/second-url").broker().display()).contains(USER).doesNotContain(PASSWORD);
	}

	@Test
	void failsOverToAnotherUrlWhenTheConnectedBrokerGoes(CapturedOutput output) {
		assertThat(FIRST.connections()).isOne();
		assertThat(SECOND.connections()).isZero();
		FIRST.refuse().cut();
		await().untilAsserted(() -> assertThat(BackendLog.ofEndpoint(output, "/failover"))
			.containsPattern("Lost the broker: .*: connection lost"));
		// Logged once the backend is down: up from now on means reconnected, through the second URL.
		await().until(() -> status("/failover").isUp());
		assertThat(SECOND.connections()).isOne();
		FIRST.open();
		SECOND.refuse().cut();
		// Only a reconnect opens a connection through the first URL again.
		await().until(() -> status("/failover").isUp() && FIRST.connections() == 1);
		TestBroker.publish(EXCHANGE, FAILOVER_QUEUE, "{\"failed\": \"over\"}");
		this.client.get().uri("/failover").exchange().expectStatus().isOk().expectBody().json("{\"failed\": \"over\"}");
	}

	private static void publishInVirtualHost(String body) {
		CachingConnectionFactory connectionFactory = new CachingConnectionFactory(TestBroker.host(), TestBroker.port());
		connectionFactory.setUsername(USER);
		connectionFactory.setPassword(PASSWORD);
		connectionFactory.setVirtualHost(VHOST);
		try {
			new RabbitTemplate(connectionFactory).send(EXCHANGE, SECOND_QUEUE,
					new Message(body.getBytes(StandardCharsets.UTF_8), new MessageProperties()));
		}
		finally {
			connectionFactory.destroy();
		}
	}

	private ConsumerBackend backend(String endpoint) {
		return this.backends.get(endpoint, 0);
	}

	private ChannelStatus status(String endpoint) {
		return backend(endpoint).status();
	}

}
