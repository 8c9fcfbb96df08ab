package dev.amqpgateway.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.MessageProperties;
import dev.amqpgateway.support.BrokerWide;
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
 * Nothing is lost under faults: eight HTTP clients drain a durable queue of persistent
 * messages through the gateway while the broker's connections are cut twice, or while the broker
 * application restarts. Every message ends up in a completed response; duplicates are counted.
 * The test command runs it with 2,000 messages; {@code bench/chaos} runs it with
 * {@code -Dchaos.messages=10000}. It closes every connection of the broker and restarts it, so
 * {@code -Dgateway.tests.broker-wide=false} skips it on a broker that others use.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@BrokerWide
class ChaosDrainIntegrationTests {

	static final int MESSAGES = Integer.getInteger("chaos.messages", 2_000);

	static final int CLIENTS = 8;

	/**
	 * The shortest time a drain may take: long enough that every fault lands while messages remain,
	 * though {@code rabbitmqctl} may take a few seconds to run on a busy machine (with 2,000
	 * messages, the second cut comes after 5 s at the earliest, whatever the first one took).
	 */
	static final Duration MIN_DRAIN = Duration.ofSeconds(10);

	/**
	 * Each client's pause after a message, so that the drain takes at least {@link #MIN_DRAIN}:
	 * without it the gateway drains the queue before {@code rabbitmqctl} has even started, and the
	 * faults would hit an empty queue.
	 */
	static final Duration PACE = Duration
		.ofMillis(Long.getLong("chaos.pace-ms", Math.max(1, MIN_DRAIN.toMillis() * CLIENTS / MESSAGES)));

	static final Duration DEADLINE = Duration.ofMinutes(2);

	static final String EXCHANGE = GatewayEndpoints.unique("chaos-x");

	static final String CUT = GatewayEndpoints.unique("chaos-cut");

	static final String RESTART = GatewayEndpoints.unique("chaos-restart");

	static final Pattern ID = Pattern.compile("\"id\":\"(m-\\d+)\"");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			.endpoint("/cut", consumer(CUT, EXCHANGE, "amqp.consumer.routing_key[0]", CUT, "amqp.consumer.durable",
					"true", "amqp.consumer.prefetch_count", "50", "amqp.consumer.backoff_strategy", "linear"))
			.endpoint("/restart", consumer(RESTART, EXCHANGE, "amqp.consumer.routing_key[0]", RESTART,
					"amqp.consumer.durable", "true", "amqp.consumer.prefetch_count", "50",
					"amqp.consumer.backoff_strategy", "linear"))
			.addTo(registry);
		// Short, so that the clients still waiting once the last message is served finish well within
		// the 30s the test gives them; an empty answer (204) only sends a client round again.
		registry.add("gateway.timeout", () -> "300ms");
		registry.add("gateway.max_backoff", () -> "1s");
	}

	@AfterAll
	static void cleanUp() {
		TestBroker.admin().deleteQueue(CUT);
		TestBroker.admin().deleteQueue(RESTART);
		TestBroker.admin().deleteExchange(EXCHANGE);
	}

	@LocalServerPort
	int port;

	@Test
	void noMessageIsLostWhenTheConnectionsAreCutTwice() throws Exception {
		Report report = drain("/cut", CUT, List.of(
				new Fault(MESSAGES / 4, TestBroker::closeAllConnections),
				new Fault(MESSAGES / 2, TestBroker::closeAllConnections)));
		assertThat(report.lost()).isEmpty();
		assertThat(report.faultsInjected()).isEqualTo(2);
	}

	@Test
	void noMessageIsLostWhenTheBrokerRestarts() throws Exception {
		Report report = drain("/restart", RESTART, List.of(new Fault(MESSAGES / 3, () -> {
			try {
				TestBroker.rabbitmqctl("stop_app");
			}
			finally {
				TestBroker.rabbitmqctl("start_app");
				TestBroker.rabbitmqctl("await_startup");
			}
		})));
		assertThat(report.lost()).isEmpty();
		assertThat(report.faultsInjected()).isEqualTo(1);
	}

	private Report drain(String path, String queue, List<Fault> faults) throws Exception {
		publish(queue);
		Map<String, Integer> seen = new ConcurrentHashMap<>();
		AtomicLong responses = new AtomicLong();
		AtomicBoolean stop = new AtomicBoolean();
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		List<Future<?>> running = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			running.add(clients.submit(() -> client(http, request, seen, responses, stop)));
		}
		int injected = 0;
		List<Integer> servedAtFaults = new ArrayList<>();
		Instant deadline = Instant.now().plus(DEADLINE);
		Instant started = Instant.now();
		try {
			while (seen.size() < MESSAGES && Instant.now().isBefore(deadline)) {
				if (injected < faults.size() && seen.size() >= faults.get(injected).after()) {
					servedAtFaults.add(seen.size());
					faults.get(injected++).action().run();
				}
				LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
			}
		}
		finally {
			stop.set(true);
			for (Future<?> client : running) {
				client.get(30, TimeUnit.SECONDS);
			}
			clients.shutdownNow();
		}
		Duration took = Duration.between(started, Instant.now());
		Set<String> lost = ConcurrentHashMap.newKeySet();
		for (int i = 0; i < MESSAGES; i++) {
			if (!seen.containsKey("m-" + i)) {
				lost.add("m-" + i);
			}
		}
		long duplicates = responses.get() - seen.size();
		long remaining = TestBroker.depth(queue).total();
		System.out.printf(
				"chaos %s: %d messages, faults after %s served, %d served in %d ms, %d duplicates, %d lost, %d still queued%n",
				path, MESSAGES, servedAtFaults, seen.size(), took.toMillis(), duplicates, lost.size(), remaining);
		assertThat(lost.size()).as("lost messages must still be queued").isLessThanOrEqualTo((int) remaining);
		return new Report(lost, duplicates, injected);
	}

	private static void client(HttpClient http, HttpRequest request, Map<String, Integer> seen, AtomicLong responses,
			AtomicBoolean stop) {
		while (!stop.get()) {
			try {
				HttpResponse<String> response = http.send(request,
						HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
				if (response.statusCode() == 200) {
					Matcher id = ID.matcher(response.body());
					assertThat(id.find()).as(response.body()).isTrue();
					seen.merge(id.group(1), 1, Integer::sum);
					responses.incrementAndGet();
					LockSupport.parkNanos(PACE.toNanos());
				}
				else if (response.statusCode() == 503) {
					LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
				}
				else {
					assertThat(response.statusCode()).isEqualTo(204);
				}
			}
			catch (java.io.IOException ex) {
				LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private static void publish(String routingKey) {
		String padding = "x".repeat(900);
		TestBroker.template().execute((channel) -> {
			channel.confirmSelect();
			AMQP.BasicProperties persistent = MessageProperties.PERSISTENT_BASIC.builder()
				.contentType("application/json")
				.build();
			for (int i = 0; i < MESSAGES; i++) {
				String body = "{\"id\":\"m-" + i + "\",\"padding\":\"" + padding + "\"}";
				channel.basicPublish(EXCHANGE, routingKey, persistent, body.getBytes(StandardCharsets.UTF_8));
			}
			channel.waitForConfirmsOrDie(60_000);
			return null;
		});
	}

	private record Fault(int after, Runnable action) {
	}

	private record Report(Set<String> lost, long duplicates, int faultsInjected) {
	}

}
