package dev.amqpgateway.reliability;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A request whose client has gone never takes a message: a hundred clients wait on an
 * empty queue and disconnect; the hundred messages published afterwards all reach later requests.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
class VanishingClientsIntegrationTests {

	static final int CLIENTS = 100;

	static final String EXCHANGE = GatewayEndpoints.unique("vanishing-x");

	static final String QUEUE = GatewayEndpoints.unique("vanishing");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints().endpoint("/vanishing", consumer(QUEUE, EXCHANGE, "amqp.consumer.prefetch_count", "10"))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "30s");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	@Test
	void clientsThatLeaveBeforeAnyMessageExistsTakeNone() throws Exception {
		List<Socket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < CLIENTS; i++) {
				Socket socket = new Socket("127.0.0.1", this.port);
				OutputStream out = socket.getOutputStream();
				out.write("GET /vanishing HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
				clients.add(socket);
			}
			await().until(() -> waiting() == CLIENTS);
		}
		finally {
			for (Socket socket : clients) {
				socket.close();
			}
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> waiting() == 0);
		for (int i = 0; i < CLIENTS; i++) {
			TestBroker.publish(EXCHANGE, "any", "{\"n\": " + i + "}");
		}
		await().untilAsserted(() -> assertThat(TestBroker.depth(QUEUE).total()).isEqualTo(CLIENTS));
		Set<String> served = new HashSet<>();
		for (int i = 0; i < CLIENTS; i++) {
			served.add(this.client.get().uri("/vanishing").exchange()
				.expectStatus().isOk()
				.expectBody(String.class).returnResult().getResponseBody());
		}
		assertThat(served).hasSize(CLIENTS);
		assertThat(this.meters.get("gateway.messages.requeued").counter().count()).isZero();
		await().untilAsserted(() -> assertThat(TestBroker.depth(QUEUE).total()).isZero());
	}

	private double waiting() {
		return this.meters.get("gateway.requests.waiting").gauge().value();
	}

}
