package dev.amqpgateway.consume;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.amqpgateway.AmqpGatewayApplication;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests that wait for a message when the gateway shuts down are answered, and no message is
 * lost, whether it arrives before, during or after the shutdown.
 */
class ShutdownIntegrationTests {

	static final int WAITING = 5;

	static final String PATH = "/shutdown";

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	final String exchange = GatewayEndpoints.unique("shutdown-x");

	final String queue = GatewayEndpoints.unique("shutdown");

	ConfigurableApplicationContext gateway;

	@AfterEach
	void closeAndCleanUp() {
		if (this.gateway != null) {
			this.gateway.close();
		}
		TestBroker.admin().deleteQueue(this.queue);
		TestBroker.admin().deleteExchange(this.exchange);
	}

	@Test
	void requestsWaitingWhenTheGatewayClosesAreAnsweredAtOnceAndNothingIsAcknowledged() throws Exception {
		// Their timeout is longer than a shutdown phase (10 s): only turning them away answers them.
		start("60s", "250");
		List<CompletableFuture<HttpResponse<String>>> answers = waitingRequests();
		MeterRegistry meters = this.gateway.getBean(MeterRegistry.class);
		this.gateway.close();
		for (CompletableFuture<HttpResponse<String>> answer : answers) {
			HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
			assertThat(response.statusCode()).isEqualTo(503);
			assertThat(response.headers().firstValue("Retry-After")).isPresent();
			assertThat(response.body()).contains("the gateway is shutting down");
		}
		assertThat(meters.get("gateway.messages.acked").counter().count()).isZero();
		assertThat(meters.get("gateway.messages.delivered").counter().count()).isZero();
		assertThat(TestBroker.depth(this.queue).total()).isZero();
	}

	@Test
	void messagesPublishedWhileTheGatewayClosesAreServedOrLeftOnTheQueue() throws Exception {
		start("5s", "10");
		List<CompletableFuture<HttpResponse<String>>> answers = waitingRequests();
		MeterRegistry meters = this.gateway.getBean(MeterRegistry.class);
		CompletableFuture<Void> closing = CompletableFuture.runAsync(this.gateway::close);
		Set<String> published = new HashSet<>();
		// Publish through the whole shutdown: to waiting requests, into the prefetch buffer, to
		// a consumer being cancelled, to a queue nobody consumes any more.
		while (!closing.isDone() && published.size() < 300 || published.size() < 50) {
			String body = "{\"n\": " + published.size() + "}";
			TestBroker.publish(this.exchange, "any", body);
			published.add(body);
		}
		closing.get(60, TimeUnit.SECONDS);
		Set<String> served = new HashSet<>();
		for (CompletableFuture<HttpResponse<String>> answer : answers) {
			HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
			assertThat(response.statusCode()).isIn(200, 503);
			if (response.statusCode() == 200) {
				served.add(response.body());
			}
		}
		await().untilAsserted(() -> assertThat(TestBroker.depth(this.queue).unacknowledged()).isZero());
		TestBroker.QueueDepth depth = TestBroker.depth(this.queue);
		Set<String> left = new HashSet<>();
		Message message;
		while ((message = TestBroker.template().receive(this.queue)) != null) {
			left.add(new String(message.getBody(), StandardCharsets.UTF_8));
		}
		assertThat(left).hasSize((int) depth.ready());
		Set<String> accountedFor = new HashSet<>(served);
		accountedFor.addAll(left);
		assertThat(accountedFor).containsExactlyInAnyOrderElementsOf(published);
		// Only a message written to a client was acknowledged.
		assertThat(meters.get("gateway.messages.acked").counter().count()).isLessThanOrEqualTo(served.size());
	}

	private List<CompletableFuture<HttpResponse<String>>> waitingRequests() {
		List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
		String port = this.gateway.getEnvironment().getProperty("local.server.port");
		for (int i = 0; i < WAITING; i++) {
			HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH)).GET().build();
			answers.add(this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
		}
		MeterRegistry meters = this.gateway.getBean(MeterRegistry.class);
		await().until(() -> meters.get("gateway.requests.waiting").gauge().value() == WAITING);
		return answers;
	}

	private void start(String timeout, String prefetch) {
		GatewayEndpoints endpoints = new GatewayEndpoints()
			.endpoint(PATH, consumer(this.queue, this.exchange, "amqp.consumer.prefetch_count", prefetch))
			.timeout(timeout);
		List<String> args = new ArrayList<>();
		args.add("--server.port=0");
		endpoints.properties().forEach((name, value) -> args.add("--" + name + "=" + value));
		this.gateway = new SpringApplicationBuilder(AmqpGatewayApplication.class).main(AmqpGatewayApplication.class)
			.run(args.toArray(String[]::new));
	}

}
