package dev.amqpgateway.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.MessageProperties;
import dev.amqpgateway.agent.Agent;
import dev.amqpgateway.agent.AsyncAgents;
import dev.amqpgateway.support.GatewayAgents;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.HttpSink;
import dev.amqpgateway.support.HttpSink.Reply;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nothing an async agent takes is lost: eight workers send a durable queue of persistent
 * messages with unique ids to an HTTP server while the agent's broker connection is cut twice.
 * Afterwards every id reached the server in a request it accepted (200), and the queue is empty,
 * nothing ready and nothing unacknowledged; duplicates are allowed, and counted. The test command
 * runs it with 5,000 messages, sent in fifteen to twenty seconds on a two-core machine; set
 * {@code -Dgateway.tests.agent-chaos.messages} for another size.
 *
 * <p>The server refuses (500) the first request for one message in a hundred, so that an agent
 * that acknowledged a message whatever its backend answered, or before the answer came, loses
 * those. The broker is reached through a proxy of the test's own, whose cuts touch no other
 * client of the broker: the first cut falls on messages being sent, whose acknowledgements then
 * have no channel to go to; the second follows a short partition, which swallows the
 * acknowledgements sent meanwhile. The broker redelivers both kinds, so they arrive twice.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class AgentChaosIntegrationTests {

	static final int MESSAGES = Integer.getInteger("gateway.tests.agent-chaos.messages", 5_000);

	static final int WORKERS = 8;

	/** One message in this many is refused on its first delivery. */
	static final int REFUSED_EVERY = 100;

	/** The cuts, each once this fraction of the messages were accepted, and the agent is back from the last one. */
	static final List<Cut> CUTS = List.of(new Cut(0.3, false), new Cut(0.6, true));

	/** How long the partition before a cut lasts: long enough for some acknowledgements to be swallowed. */
	static final Duration PARTITION = Duration.ofMillis(200);

	/** No request for this long, and the agent has nothing more to send. */
	static final Duration QUIET = Duration.ofSeconds(5);

	static final Duration DEADLINE = Duration.ofMinutes(3);

	static final String AGENT = "chaos";

	static final String EXCHANGE = GatewayEndpoints.unique("agent-chaos-x");

	static final String QUEUE = GatewayEndpoints.unique("agent-chaos");

	static final TcpProxy PROXY = TcpProxy.to(TestBroker.host(), TestBroker.port());

	static final HttpSink SINK = HttpSink.start();

	/** Requests per message id, whatever the answer. */
	static final Map<String, Integer> requested = new ConcurrentHashMap<>();

	/** Requests answered 200 per message id. */
	static final Map<String, Integer> accepted = new ConcurrentHashMap<>();

	static final AtomicLong lastRequestNanos = new AtomicLong(System.nanoTime());

	@Autowired
	AsyncAgents agents;

	@DynamicPropertySource
	static void agent(DynamicPropertyRegistry registry) {
		SINK.on("chaos", (request) -> {
			lastRequestNanos.set(System.nanoTime());
			String id = request.headers().get("X-Amqp-Message-Id");
			boolean first = requested.merge(id, 1, Integer::sum) == 1;
			if (first && isRefusedFirst(id)) {
				return Reply.status(500);
			}
			accepted.merge(id, 1, Integer::sum);
			return Reply.status(200);
		});
		new GatewayAgents()
			.agent(AGENT, QUEUE, EXCHANGE, List.of(SINK.url() + "/chaos"), "amqp.host[0]",
					TestBroker.urlFor(PROXY.port()), "amqp.durable", "true", "consumer.workers", WORKERS,
					"consumer.timeout", "10s", "connection.backoff_strategy", "linear")
			.addTo(registry);
		// Linear: the first reconnect at once, the next ones, and the wait before a refused message
		// goes back to the queue, a fifth of a second.
		registry.add("gateway.max_backoff", () -> "200ms");
	}

	@AfterAll
	static void cleanUp() {
		PROXY.close();
		SINK.close();
		TestBroker.delete(List.of(QUEUE), EXCHANGE);
	}

	@Test
	void everyMessageReachesTheBackendAfterTwoConnectionCuts() {
		Instant started = Instant.now();
		publish();
		lastRequestNanos.set(System.nanoTime());
		List<String> cuts = sendWhileCutting();
		Duration took = Duration.between(started, Instant.now());

		List<String> missing = new ArrayList<>();
		List<String> refusedAndNotRetried = new ArrayList<>();
		for (int i = 0; i < MESSAGES; i++) {
			if (!accepted.containsKey(id(i))) {
				missing.add(id(i));
			}
			if (isRefusedFirst(id(i)) && requested.getOrDefault(id(i), 0) < 2) {
				refusedAndNotRetried.add(id(i));
			}
		}
		long answered200 = accepted.values().stream().mapToLong(Integer::longValue).sum();
		long duplicates = answered200 - accepted.size();
		long requests = requested.values().stream().mapToLong(Integer::longValue).sum();
		System.out.printf("agent chaos: %d messages in %d ms, cuts %s; %d requests, %d accepted, %d duplicates, "
				+ "%d missing%n", MESSAGES, took.toMillis(), cuts, requests, answered200, duplicates, missing.size());

		assertThat(cuts).as("cuts made while messages remained").hasSize(CUTS.size());
		assertThat(missing).as("messages never accepted by the backend").isEmpty();
		assertThat(refusedAndNotRetried).as("refused messages not sent again").isEmpty();
		assertThat(accepted.keySet()).as("ids no message had").allMatch(AgentChaosIntegrationTests::isPublished);
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
			.until(() -> TestBroker.depth(QUEUE), (depth) -> depth.total() == 0);
	}

	/**
	 * Wait until the backend accepted every message, or nothing was sent for a while, cutting the
	 * agent's connections on the way.
	 * @return what each cut met, for the report
	 */
	private List<String> sendWhileCutting() {
		Agent agent = this.agents.all().get(0);
		List<String> cutsMade = new ArrayList<>();
		int forwardedAtCut = 0;
		Instant deadline = Instant.now().plus(DEADLINE);
		while (accepted.size() < MESSAGES && !quiet(agent) && Instant.now().isBefore(deadline)) {
			boolean back = PROXY.forwarded() > forwardedAtCut && agent.queue().status().isUp();
			if (cutsMade.size() < CUTS.size() && back && accepted.size() >= CUTS.get(cutsMade.size()).at() * MESSAGES) {
				forwardedAtCut = PROXY.forwarded();
				cutsMade.add(cut(CUTS.get(cutsMade.size()), agent));
			}
			LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
		}
		return cutsMade;
	}

	private static String cut(Cut cut, Agent agent) {
		int acceptedBefore = accepted.size();
		if (cut.partitionFirst()) {
			PROXY.partition();
			LockSupport.parkNanos(PARTITION.toNanos());
		}
		int inFlight = agent.status().inFlight();
		PROXY.cut();
		PROXY.resume();
		return (cut.partitionFirst() ? "partition and cut" : "cut") + " after " + acceptedBefore + " accepted, "
				+ inFlight + " in flight";
	}

	private static boolean quiet(Agent agent) {
		return System.nanoTime() - lastRequestNanos.get() > QUIET.toNanos() && agent.status().inFlight() == 0;
	}

	private static void publish() {
		TestBroker.template().execute((channel) -> {
			channel.confirmSelect();
			for (int i = 0; i < MESSAGES; i++) {
				AMQP.BasicProperties persistent = MessageProperties.PERSISTENT_BASIC.builder()
					.contentType("application/json")
					.messageId(id(i))
					.build();
				channel.basicPublish(EXCHANGE, QUEUE, persistent,
						("{\"id\":\"" + id(i) + "\"}").getBytes(StandardCharsets.UTF_8));
			}
			channel.waitForConfirmsOrDie(60_000);
			return null;
		});
	}

	private static String id(int i) {
		return "a-" + i;
	}

	private static boolean isPublished(String id) {
		return id.matches("a-\\d+") && Integer.parseInt(id.substring(2)) < MESSAGES;
	}

	private static boolean isRefusedFirst(String id) {
		return Integer.parseInt(id.substring(2)) % REFUSED_EVERY == 7;
	}

	/**
	 * A cut of the agent's broker connection.
	 *
	 * @param at the fraction of the messages accepted when it comes
	 * @param partitionFirst whether a partition swallows what either side sends just before
	 */
	record Cut(double at, boolean partitionFirst) {
	}

}
