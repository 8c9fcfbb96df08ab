package dev.amqpgateway.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.amqpgateway.AmqpGatewayApplication;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three gateway instances on one queue, as a stateless service is scaled behind a load balancer,
 * and clients whose keep-alive connections pin them to one instance: no message waits in an
 * instance that has no request for it, so a client of one instance gets every message.
 */
class ManyInstancesIntegrationTests {

	static final String PATH = "/shared";

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	final String exchange = GatewayEndpoints.unique("instances-x");

	final String queue = GatewayEndpoints.unique("instances");

	final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	@BeforeEach
	void startThreeInstances() {
		for (int i = 0; i < 3; i++) {
			this.instances.add(start());
		}
	}

	@AfterEach
	void stopAndCleanUp() {
		this.instances.forEach(ConfigurableApplicationContext::close);
		TestBroker.delete(List.of(this.queue), this.exchange);
	}

	/**
	 * The other two instances have just served clients of their own, who left: their consumers are
	 * still subscribed when the next messages come, and take some ahead of demand. Those go back to
	 * the queue, and the client of the first instance gets all of them without ever being told the
	 * queue is empty.
	 */
	@Test
	void aClientOfOneInstanceGetsEveryMessageWhileTheOthersHaveNoRequests() throws Exception {
		List<CompletableFuture<HttpResponse<String>>> elsewhere = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			elsewhere.add(get(1));
			elsewhere.add(get(2));
		}
		await().until(() -> waiting(1) == 5 && waiting(2) == 5);
		Set<String> servedElsewhere = publish("elsewhere", 10);
		Set<String> receivedElsewhere = new HashSet<>();
		for (CompletableFuture<HttpResponse<String>> response : elsewhere) {
			HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
			assertThat(answer.statusCode()).isEqualTo(200);
			receivedElsewhere.add(answer.body());
		}
		assertThat(receivedElsewhere).isEqualTo(servedElsewhere);
		// Published at once, while the other instances still consume.
		Set<String> published = publish("pinned", 30);
		Set<String> received = new HashSet<>();
		for (int i = 0; i < published.size(); i++) {
			HttpResponse<String> answer = get(0).get(60, TimeUnit.SECONDS);
			assertThat(answer.statusCode()).as("answer %d of %d", i + 1, published.size()).isEqualTo(200);
			received.add(answer.body());
		}
		assertThat(received).isEqualTo(published);
		assertThat(get(0).get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
		assertThat(TestBroker.depth(this.queue).total()).isZero();
	}

	@Test
	void clientsOfOneInstanceDrainAThousandsOfMessagesTheOthersNeverTouch() throws Exception {
		Set<String> published = publish("drain", 3000);
		Set<String> received = ConcurrentHashMap.newKeySet();
		List<CompletableFuture<Void>> clients = new ArrayList<>();
		for (int client = 0; client < 4; client++) {
			clients.add(CompletableFuture.runAsync(() -> drain(received)));
		}
		CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
		assertThat(received).hasSameSizeAs(published).isEqualTo(published);
		assertThat(TestBroker.depth(this.queue).total()).isZero();
	}

	// One keep-alive client of the first instance, until it is told there is nothing left.
	private void drain(Set<String> received) {
		while (true) {
			HttpResponse<String> answer = get(0).join();
			if (answer.statusCode() == 204) {
				return;
			}
			assertThat(answer.statusCode()).isEqualTo(200);
			assertThat(received.add(answer.body())).as("served twice: " + answer.body()).isTrue();
		}
	}

	private ConfigurableApplicationContext start() {
		GatewayEndpoints endpoints = new GatewayEndpoints()
			.endpoint(PATH, consumer(this.queue, this.exchange, "amqp.consumer.durable", "true",
					"amqp.consumer.prefetch_count", "10"))
			.timeout("10s");
		List<String> args = new ArrayList<>();
		args.add("--server.port=0");
		// Longer than the gap between the two rounds of the first test, so that the other instances
		// still consume when the pinned client's messages come.
		args.add("--gateway.release_after=2s");
		endpoints.properties().forEach((name, value) -> args.add("--" + name + "=" + value));
		return new SpringApplicationBuilder(AmqpGatewayApplication.class).main(AmqpGatewayApplication.class)
			.run(args.toArray(String[]::new));
	}

	private CompletableFuture<HttpResponse<String>> get(int instance) {
		int port = ((WebServerApplicationContext) this.instances.get(instance)).getWebServer().getPort();
		// Far beyond the endpoint's timeout: a request left unanswered fails the test instead of hanging it.
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH))
			.timeout(Duration.ofSeconds(60))
			.build();
		return this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
	}

	private double waiting(int instance) {
		return this.instances.get(instance)
			.getBean(io.micrometer.core.instrument.MeterRegistry.class)
			.get("gateway.requests.waiting")
			.gauge()
			.value();
	}

	private Set<String> publish(String prefix, int count) {
		Set<String> bodies = new HashSet<>();
		MessageProperties properties = new MessageProperties();
		properties.setContentType("application/json");
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		for (int i = 0; i < count; i++) {
			String body = "{\"" + prefix + "\":" + i + "}";
			TestBroker.template().send(this.exchange, "any", new Message(body.getBytes(StandardCharsets.UTF_8), properties));
			bodies.add(body);
		}
		return bodies;
	}

}
