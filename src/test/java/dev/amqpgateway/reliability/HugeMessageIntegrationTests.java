package dev.amqpgateway.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.LargeMessages;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message larger than the AMQP client's default limit (64 MiB) never takes the broker connection
 * down: one over {@code max_message_size} is dead-lettered and the message behind it served, one
 * under it is served whole, and an endpoint sharing the connection serves throughout; the
 * gateway's connection to the broker is the same one from start to end.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class HugeMessageIntegrationTests {

	static final int MiB = 1024 * 1024;

	static final String EXCHANGE = GatewayEndpoints.unique("huge-x");

	static final String DEAD_LETTERS = GatewayEndpoints.unique("huge-dlx");

	static final String DEAD_LETTER_QUEUE = GatewayEndpoints.unique("huge-dlq");

	static final String OVERSIZE = GatewayEndpoints.unique("huge-oversize");

	static final String SERVED = GatewayEndpoints.unique("huge-served");

	static final String NEIGHBOUR = GatewayEndpoints.unique("huge-neighbour");

	@BeforeAll
	static void deadLetterQueue() {
		TestBroker.declareDeadLetters(DEAD_LETTERS, DEAD_LETTER_QUEUE);
	}

	@AfterAll
	static void cleanUp() {
		TestBroker.delete(List.of(DEAD_LETTER_QUEUE, OVERSIZE, SERVED, NEIGHBOUR), DEAD_LETTERS, EXCHANGE);
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/oversize", consumer(OVERSIZE, EXCHANGE, "amqp.consumer.routing_key[0]", OVERSIZE,
					"amqp.consumer.durable", "true",
					"amqp.consumer.queue_arguments.x-dead-letter-exchange", DEAD_LETTERS))
			.timeout("30s")
			.endpoint("/served", consumer(SERVED, EXCHANGE, "amqp.consumer.routing_key[0]", SERVED,
					"amqp.consumer.durable", "true"))
			.timeout("30s")
			.endpoint("/neighbour", consumer(NEIGHBOUR, EXCHANGE, "amqp.consumer.routing_key[0]", NEIGHBOUR))
			.timeout("30s")
			.addTo(registry);
		registry.add("gateway.max_message_size", () -> "96MB");
	}

	@Autowired
	MeterRegistry meters;

	@Autowired
	Brokers brokers;

	@LocalServerPort
	int port;

	@Test
	void aMessageOverTheLimitIsDeadLetteredAndTheOneBehindItServedOnTheSameConnection() throws Exception {
		List<Integer> connectionsBefore = gatewayConnections();
		LargeMessages.publish(EXCHANGE, OVERSIZE, LargeMessages.jsonObject(100 * MiB, 'o'));
		TestBroker.publish(EXCHANGE, OVERSIZE, "{\"small\": true}");
		HttpResponse<byte[]> small = get("/oversize");
		assertThat(small.statusCode()).isEqualTo(200);
		assertThat(new String(small.body(), StandardCharsets.UTF_8)).isEqualTo("{\"small\": true}");
		await().untilAsserted(() -> assertThat(TestBroker.depth(DEAD_LETTER_QUEUE).ready()).isEqualTo(1));
		Message deadLettered = TestBroker.template().receive(DEAD_LETTER_QUEUE);
		assertThat(deadLettered).isNotNull();
		assertThat(deadLettered.getBody()).hasSize(100 * MiB);
		assertThat(counter("gateway.messages.oversize", "/oversize")).isEqualTo(1);
		assertThat(counter("gateway.messages.rejected", "/oversize")).isEqualTo(1);
		assertNeighbourServes();
		assertThat(gatewayConnections()).as("the gateway's broker connections").isEqualTo(connectionsBefore);
		actuator().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
	}

	@Test
	void aMessageOverTheClientsDefaultLimitAndUnderOursIsServedWhole() throws Exception {
		List<Integer> connectionsBefore = gatewayConnections();
		byte[] big = LargeMessages.jsonObject(80 * MiB, 's');
		LargeMessages.publish(EXCHANGE, SERVED, big);
		HttpResponse<byte[]> served = get("/served");
		assertThat(served.statusCode()).isEqualTo(200);
		assertThat(Arrays.equals(served.body(), big)).as("the 80 MiB message, byte for byte").isTrue();
		await().untilAsserted(() -> assertThat(TestBroker.depth(SERVED).total()).isZero());
		assertThat(counter("gateway.messages.oversize", "/served")).isZero();
		assertNeighbourServes();
		assertThat(gatewayConnections()).as("the gateway's broker connections").isEqualTo(connectionsBefore);
	}

	private void assertNeighbourServes() throws Exception {
		TestBroker.publish(EXCHANGE, NEIGHBOUR, "{\"neighbour\": true}");
		HttpResponse<byte[]> answer = get("/neighbour");
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"neighbour\": true}");
	}

	/**
	 * The client ports of this gateway's broker connections, as the broker lists them: a reconnect
	 * changes them.
	 */
	private List<Integer> gatewayConnections() {
		List<Integer> ours = this.brokers.all()
			.stream()
			.map((broker) -> broker.connectionFactory().createConnection().getLocalPort())
			.sorted()
			.toList();
		List<Integer> listed = new ArrayList<>();
		for (String port : TestBroker.rabbitmqctl("list_connections", "-q", "--no-table-headers", "peer_port")
			.split("\n")) {
			listed.add(Integer.valueOf(port.trim()));
		}
		assertThat(listed).containsAll(ours);
		return ours;
	}

	private HttpResponse<byte[]> get(String path) throws Exception {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(60))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private double counter(String name, String endpoint) {
		return this.meters.get(name).tag("endpoint", endpoint).counters().stream().mapToDouble((c) -> c.count()).sum();
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
