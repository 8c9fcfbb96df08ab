package dev.amqpgateway.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A keep-alive client is answered request after request on one connection. Reactor Netty 1.3.6
 * sometimes never read the next request of a connection (one to five per few thousand requests
 * here): this drain of thousands of messages over one connection then stalls on a request that
 * is never answered.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class KeepAliveIntegrationTests {

	static final int MESSAGES = 5_000;

	static final String EXCHANGE = GatewayEndpoints.unique("keep-alive-x");

	static final String QUEUE = GatewayEndpoints.unique("keep-alive");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/keep-alive", consumer(QUEUE, EXCHANGE, "amqp.consumer.prefetch_count", "10"))
			.timeout("5s")
			.addTo(registry);
	}

	@AfterAll
	static void cleanUp() {
		TestBroker.delete(List.of(QUEUE), EXCHANGE);
	}

	@LocalServerPort
	int port;

	@Test
	void aKeepAliveClientIsAnsweredRequestAfterRequestOnOneConnection() throws Exception {
		for (int i = 0; i < MESSAGES; i++) {
			TestBroker.publish(EXCHANGE, QUEUE, "{\"n\": " + i + "}");
		}
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		// Far beyond the endpoint's timeout: an unanswered request fails here instead of hanging.
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/keep-alive"))
			.timeout(Duration.ofSeconds(30))
			.build();
		Set<String> received = new HashSet<>();
		for (int i = 0; i < MESSAGES; i++) {
			HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as("answer %d", i + 1).isEqualTo(200);
			received.add(response.body());
		}
		assertThat(received).hasSize(MESSAGES);
	}

}
