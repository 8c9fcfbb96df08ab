package dev.amqpgateway.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import dev.amqpgateway.publish.ProducerBackend;
import dev.amqpgateway.publish.ProducerBackends;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nothing a producer endpoint confirmed is lost: eight HTTP clients publish messages with unique
 * ids through the gateway to a durable queue while the gateway's broker connection is cut twice.
 * Clients retry nothing. Afterwards every message answered 200 must be in the queue, exactly once,
 * and no message answered 503 ("nothing was published"); the 502 answers ("may have been
 * published") are counted, with how many of their messages reached the queue anyway. The test
 * command runs it with 2,000 messages; {@code bench/publish-chaos} runs it with
 * {@code -Dpublish.chaos.messages=10000}.
 *
 * <p>The broker is reached through a proxy of the test's own, whose cuts touch no other client of
 * the broker. Each cut ends a burst, the clients unpaced, and follows a short fault that decides
 * what becomes of the publishes on the wire: a stall, which holds the broker's confirms of
 * messages it has (the waiting requests must not be answered 503), or a partition, which drops
 * what the gateway sends (a gateway that answered before the broker confirmed would answer 200
 * for messages the broker never got).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class PublishChaosIntegrationTests {

	static final int MESSAGES = Integer.getInteger("publish.chaos.messages", 2_000);

	static final int CLIENTS = 8;

	/**
	 * The shortest time the run may take, so that both cuts, and the reconnect after each, land
	 * while requests remain: unpaced, the clients publish 2,000 messages in about a second.
	 */
	static final Duration MIN_RUN = Duration.ofSeconds(10);

	/** Each client's pause after an answer, except in a burst, so that the run takes {@link #MIN_RUN}. */
	static final Duration PACE = Duration.ofMillis(Math.max(1, MIN_RUN.toMillis() * CLIENTS / MESSAGES));

	/** The requests answered, unpaced, between the start of a burst and the cut. */
	static final int BURST = Math.max(CLIENTS * 20, MESSAGES / 20);

	/** The cuts, each at the end of a burst that starts when a fraction of the requests were answered. */
	static final List<Cut> CUTS = List.of(new Cut(0.3, Fault.STALL), new Cut(0.6, Fault.PARTITION));

	/**
	 * How long the fault before a cut lasts: long enough for the gateway to send what its clients
	 * asked for. The clients wait for the confirms, which cannot come, so they begin no more
	 * requests, unless the gateway answers without them.
	 */
	static final Duration FAULT = Duration.ofMillis(100);

	static final Duration DEADLINE = Duration.ofMinutes(3);

	/** A request's status when no HTTP answer came. */
	static final int NO_ANSWER = -1;

	static final String PATH = "/publish/{id}";

	static final String EXCHANGE = GatewayEndpoints.unique("publish-chaos-x");

	static final String QUEUE = GatewayEndpoints.unique("publish-chaos");

	static final TcpProxy PROXY = TcpProxy.to(TestBroker.host(), TestBroker.port());

	@BeforeAll
	static void queue() {
		TestBroker.admin().declareExchange(new TopicExchange(EXCHANGE, true, false));
		TestBroker.admin().declareQueue(QueueBuilder.durable(QUEUE).build());
		TestBroker.admin().declareBinding(BindingBuilder.bind(QueueBuilder.durable(QUEUE).build())
			.to(new TopicExchange(EXCHANGE))
			.with("#"));
	}

	@AfterAll
	static void cleanUp() {
		PROXY.close();
		TestBroker.delete(List.of(QUEUE), EXCHANGE);
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		Map<String, Object> producer = new HashMap<>();
		producer.put("host[0]", TestBroker.urlFor(PROXY.port()));
		producer.put("amqp.producer.exchange", EXCHANGE);
		producer.put("amqp.producer.durable", "true");
		producer.put("amqp.producer.routing_key", "chaos");
		producer.put("amqp.producer.static_routing_key", "true");
		producer.put("amqp.producer.msg_id_key", "Id");
		producer.put("amqp.producer.backoff_strategy", "linear");
		new GatewayEndpoints().endpoint(PATH, producer).timeout("10s").addTo(registry);
		// Linear: the first attempt comes at once, the next ones every half second at most.
		registry.add("gateway.max_backoff", () -> "500ms");
	}

	@LocalServerPort
	int port;

	@Autowired
	ProducerBackends producers;

	@Test
	void everyMessageAnsweredOkIsInTheQueueAfterTwoConnectionCuts() throws Exception {
		Run run = publishWhileCutting();
		Map<String, Integer> queued = readQueue();

		Map<Integer, Integer> byStatus = new TreeMap<>();
		Map<Integer, Integer> queuedByStatus = new TreeMap<>();
		List<String> okButMissing = new ArrayList<>();
		List<String> duplicatedOk = new ArrayList<>();
		List<String> unavailableButQueued = new ArrayList<>();
		for (int i = 0; i < MESSAGES; i++) {
			int status = run.statuses().get(i);
			Integer copies = queued.get(id(i));
			byStatus.merge(status, 1, Integer::sum);
			if (copies != null) {
				queuedByStatus.merge(status, 1, Integer::sum);
			}
			if (status == 200 && copies == null) {
				okButMissing.add(id(i));
			}
			if (status == 200 && copies != null && copies > 1) {
				duplicatedOk.add(id(i));
			}
			if (status == 503 && copies != null) {
				unavailableButQueued.add(id(i));
			}
		}
		List<String> duplicated = queued.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() > 1)
			.map(Map.Entry::getKey)
			.toList();
		List<String> strangers = queued.keySet().stream().filter((id) -> !isRequested(id)).toList();
		System.out.printf("publish chaos: %d requests in %d ms, cuts %s; by status %s, of which in the queue %s; "
				+ "200 without a message: %d; duplicates: %d%n", MESSAGES, run.took().toMillis(), run.cuts(), byStatus,
				queuedByStatus, okButMissing.size(), duplicated.size());

		assertThat(run.cuts()).as("cuts made while requests were in flight").hasSize(CUTS.size());
		// A cut answers the requests that wait for confirms at once (502): none waits for its
		// timeout (504), the broker itself being well.
		assertThat(byStatus.keySet()).as("every request answered 200, 502 or 503").isSubsetOf(200, 502, 503);
		assertThat(okButMissing).as("messages answered 200 but not in the queue").isEmpty();
		assertThat(duplicatedOk).as("messages answered 200 and queued more than once").isEmpty();
		// A 503 says that nothing was published, so that a client may send the request again.
		assertThat(unavailableButQueued).as("messages answered 503 but in the queue").isEmpty();
		// Only a retry could publish a message twice, and neither the clients nor the gateway retry.
		assertThat(duplicated).as("messages queued more than once").isEmpty();
		assertThat(strangers).as("messages no request published").isEmpty();
		await().until(() -> producer().status().isUp());
	}

	private Run publishWhileCutting() throws Exception {
		AtomicIntegerArray statuses = new AtomicIntegerArray(MESSAGES);
		AtomicInteger next = new AtomicInteger();
		AtomicInteger answered = new AtomicInteger();
		AtomicBoolean paced = new AtomicBoolean(true);
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		List<Future<?>> running = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			running.add(clients.submit(() -> client(http, next, statuses, answered, paced)));
		}
		List<String> cutsMade = new ArrayList<>();
		int connectionsAtCut = 0;
		Instant started = Instant.now();
		Instant deadline = started.plus(DEADLINE);
		try {
			while (answered.get() < MESSAGES && Instant.now().isBefore(deadline)) {
				// A burst starts only once the producer is back from the last cut: unpaced, clients
				// would spend the outage's requests in no time.
				boolean back = PROXY.forwarded() > connectionsAtCut && producer().status().isUp();
				if (cutsMade.size() < CUTS.size() && back) {
					Cut cut = CUTS.get(cutsMade.size());
					int burstAt = (int) (cut.at() * MESSAGES);
					if (answered.get() >= burstAt) {
						paced.set(false);
					}
					if (answered.get() >= burstAt + BURST) {
						connectionsAtCut = PROXY.forwarded();
						cutsMade.add(cut(cut, next, answered));
						paced.set(true);
					}
				}
				LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
			}
		}
		finally {
			paced.set(true);
			for (Future<?> client : running) {
				client.get(60, TimeUnit.SECONDS);
			}
			clients.shutdownNow();
		}
		return new Run(statuses, cutsMade, Duration.between(started, Instant.now()));
	}

	/**
	 * Cut the connections through the proxy after the cut's fault.
	 * @return what the cut met, for the report
	 */
	private static String cut(Cut cut, AtomicInteger next, AtomicInteger answered) {
		int answeredAtFault = answered.get();
		int begunBefore = next.get();
		if (cut.fault() == Fault.STALL) {
			PROXY.stall();
		}
		else {
			PROXY.partition();
		}
		LockSupport.parkNanos(FAULT.toNanos());
		int begunDuring = next.get() - begunBefore;
		PROXY.cut();
		PROXY.resume();
		return cut.fault().name().toLowerCase() + " after " + answeredAtFault + " answered, " + begunDuring
				+ " requests begun during it";
	}

	private void client(HttpClient http, AtomicInteger next, AtomicIntegerArray statuses, AtomicInteger answered,
			AtomicBoolean paced) {
		for (int i = next.getAndIncrement(); i < MESSAGES; i = next.getAndIncrement()) {
			String id = id(i);
			HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/publish/" + id))
				.timeout(Duration.ofSeconds(30))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body(id)))
				.build();
			try {
				statuses.set(i, http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
			}
			catch (IOException ex) {
				statuses.set(i, NO_ANSWER);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			answered.incrementAndGet();
			if (paced.get()) {
				LockSupport.parkNanos(PACE.toNanos());
			}
		}
	}

	/**
	 * Every message in the queue, by id, with how many copies of it there are.
	 */
	private static Map<String, Integer> readQueue() {
		RabbitTemplate template = TestBroker.template();
		Map<String, Integer> queued = new HashMap<>();
		Message message;
		while ((message = template.receive(QUEUE)) != null) {
			String id = message.getMessageProperties().getMessageId();
			assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo(body(id));
			queued.merge(id, 1, Integer::sum);
		}
		return queued;
	}

	private ProducerBackend producer() {
		return this.producers.of(PATH).get(0);
	}

	private static String id(int i) {
		return "p-" + i;
	}

	private static String body(String id) {
		return "{\"id\":\"" + id + "\"}";
	}

	private static boolean isRequested(String id) {
		return id.matches("p-\\d+") && Integer.parseInt(id.substring(2)) < MESSAGES;
	}

	/**
	 * A cut of the gateway's connections to the broker.
	 *
	 * @param at the fraction of the requests answered when the burst before the cut starts
	 * @param fault what the proxy does just before it cuts
	 */
	record Cut(double at, Fault fault) {
	}

	/**
	 * What happens to the live connections just before a cut.
	 */
	enum Fault {

		/** The broker gets what the gateway publishes, but its confirms are held, then lost in the cut. */
		STALL,

		/** Nothing gets through either way, as in a network that drops packets before a reset. */
		PARTITION

	}

	/**
	 * What the clients were answered.
	 *
	 * @param statuses each request's HTTP status, by message number, or {@link #NO_ANSWER}
	 * @param cuts what each cut met
	 * @param took how long the run took
	 */
	private record Run(AtomicIntegerArray statuses, List<String> cuts, Duration took) {
	}

}
