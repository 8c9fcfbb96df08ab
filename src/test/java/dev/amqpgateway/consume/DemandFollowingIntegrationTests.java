package dev.amqpgateway.consume;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import dev.amqpgateway.support.TestBroker.QueueDepth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A backend consumes only while requests want its messages, and never holds more than its
 * prefetch count however many requests wait.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class DemandFollowingIntegrationTests {

	static final int WINDOW = 3;

	static final String EXCHANGE = GatewayEndpoints.unique("demand-x");

	static final String ON_DEMAND = GatewayEndpoints.unique("on-demand");

	static final String HELD = GatewayEndpoints.unique("held");

	static final String SIBLING = GatewayEndpoints.unique("held-sibling");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/on-demand", consumer(ON_DEMAND, EXCHANGE, "amqp.consumer.routing_key[0]", ON_DEMAND))
			.timeout("2s")
			// Each request holds the message it took from the first backend while it waits for the
			// second one: what the first backend holds is exactly what its window lets out.
			.endpoint("/held", consumer(HELD, EXCHANGE, "amqp.consumer.routing_key[0]", HELD,
					"amqp.consumer.prefetch_count", String.valueOf(WINDOW)),
					consumer(SIBLING, EXCHANGE, "amqp.consumer.routing_key[0]", SIBLING))
			.timeout("60s")
			.addTo(registry);
		registry.add("gateway.release_after", () -> "500ms");
	}

	@AfterAll
	static void cleanUp() {
		TestBroker.delete(List.of(ON_DEMAND, HELD, SIBLING), EXCHANGE);
	}

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	int port;

	@Test
	void consumesOnlyWhileRequestsWantMessages() throws Exception {
		assertThat(consumers(ON_DEMAND)).as("before any request").isZero();
		CompletableFuture<HttpResponse<String>> waiting = get("/on-demand");
		await().until(() -> consumers(ON_DEMAND) == 1);
		assertThat(waiting.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
		// Cancelled once release_after passed without a request.
		await().until(() -> consumers(ON_DEMAND) == 0);
		publish(ON_DEMAND, "{\"later\": true}");
		HttpResponse<String> served = get("/on-demand").get(60, TimeUnit.SECONDS);
		assertThat(served.statusCode()).isEqualTo(200);
		assertThat(served.body()).isEqualTo("{\"later\": true}");
	}

	@Test
	void holdsNoMoreThanItsPrefetchCountHoweverManyRequestsWait() throws Exception {
		int requests = 3 * WINDOW;
		List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
		for (int i = 0; i < requests; i++) {
			answers.add(get("/held"));
		}
		for (int i = 0; i < requests; i++) {
			publish(HELD, "{\"held\": " + i + "}");
		}
		await().until(() -> TestBroker.depth(HELD).unacknowledged() == WINDOW);
		// Requests still wait for the first backend, whose window is full: it grows no further.
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(TestBroker.depth(HELD)).isEqualTo(new QueueDepth(requests - WINDOW, WINDOW)));
		for (int i = 0; i < requests; i++) {
			publish(SIBLING, "{\"sibling\": " + i + "}");
		}
		for (CompletableFuture<HttpResponse<String>> answer : answers) {
			HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("X-Gateway-Completed")).hasValue("true");
		}
		await().untilAsserted(() -> assertThat(TestBroker.depth(HELD).total()).isZero());
	}

	private CompletableFuture<HttpResponse<String>> get(String path) {
		// Far beyond the endpoints' timeouts: a request left unanswered fails the test instead of hanging it.
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(120))
			.build();
		return this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
	}

	private static int consumers(String queue) {
		return TestBroker.admin().getQueueInfo(queue).getConsumerCount();
	}

	private static void publish(String queue, String body) {
		MessageProperties properties = new MessageProperties();
		properties.setContentType("application/json");
		TestBroker.template().send(EXCHANGE, queue, new Message(body.getBytes(StandardCharsets.UTF_8), properties));
	}

}
