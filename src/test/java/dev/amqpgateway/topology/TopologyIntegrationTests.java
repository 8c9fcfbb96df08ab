package dev.amqpgateway.topology;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.rabbitmq.client.Channel;
import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
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
import static dev.amqpgateway.support.GatewayEndpoints.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Startup and topology: what the gateway declares, as the broker itself shows it afterwards
 * (rabbitmqctl listings, passive declares, re-declarations with other flags). Requests wait 30s
 * for a message, so that one published before them always reaches them, however busy the machine.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "10s")
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class TopologyIntegrationTests {

	static final String VHOST = unique("topology-vhost");

	static final String CONFLICTING = unique("conflicting");

	static final String NEIGHBOUR = unique("neighbour");

	static final String TOPIC = unique("topic");

	static final String DIRECT = unique("direct");

	static final String FANOUT = unique("fanout");

	static final String HEADERS = unique("headers");

	static final String DURABLE = unique("durable");

	static final String DELETING = unique("deleting");

	static final String EXCLUSIVE = unique("exclusive");

	static final String LIMITED = unique("limited");

	static final String QUORUM = unique("quorum");

	static final String EXISTING = unique("existing");

	static final String MISSING = unique("missing");

	static final String BYSTANDER = unique("bystander");

	static final String RECREATED = unique("recreated");

	static final String ELSEWHERE = unique("elsewhere");

	static final String CLASH = unique("clash");

	static final List<String> QUEUES = List.of(CONFLICTING, NEIGHBOUR, TOPIC, DIRECT, FANOUT, HEADERS, DURABLE,
			DELETING, EXCLUSIVE, LIMITED, QUORUM, EXISTING, MISSING, BYSTANDER, RECREATED);

	@BeforeAll
	static void prepareTheBroker() {
		TestBroker.rabbitmqctl("add_vhost", VHOST);
		TestBroker.rabbitmqctl("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*");
		inVirtualHost((admin) -> admin.declareQueue(new Queue(CLASH, true, false, false)));
		RabbitAdmin admin = TestBroker.admin();
		admin.declareQueue(new Queue(CONFLICTING, true, false, false));
		admin.declareQueue(new Queue(EXISTING, false, false, false));
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			// First, so that every other declaration of the same broker comes after the conflict.
			.endpoint("/conflicting", consumer(CONFLICTING, exchange(CONFLICTING)))
			.endpoint("/neighbour", consumer(NEIGHBOUR, exchange(NEIGHBOUR)))
			.endpoint("/topic", consumer(TOPIC, exchange(TOPIC), "amqp.consumer.routing_key[0]", "orders.*",
					"amqp.consumer.routing_key[1]", "invoices.#", "amqp.consumer.routing_key[2]", "refunds"))
			.endpoint("/direct", consumer(DIRECT, exchange(DIRECT), "amqp.consumer.exchange_type", "direct"))
			.endpoint("/fanout", consumer(FANOUT, exchange(FANOUT), "amqp.consumer.exchange_type", "fanout"))
			.endpoint("/headers", consumer(HEADERS, exchange(HEADERS), "amqp.consumer.exchange_type", "headers"))
			.endpoint("/durable", consumer(DURABLE, exchange(DURABLE), "amqp.consumer.durable", "true"))
			.endpoint("/deleting", consumer(DELETING, exchange(DELETING), "amqp.consumer.delete", "true"))
			.endpoint("/exclusive", consumer(EXCLUSIVE, exchange(EXCLUSIVE), "amqp.consumer.exclusive", "true"))
			.endpoint("/limited", consumer(LIMITED, exchange(LIMITED),
					"amqp.consumer.queue_arguments.x-max-length", "10",
					"amqp.consumer.queue_arguments.x-message-ttl", "60000"))
			.endpoint("/quorum", consumer(QUORUM, exchange(QUORUM), "amqp.consumer.durable", "true",
					"amqp.consumer.queue_arguments.x-queue-type", "quorum"))
			.endpoint("/existing", consumer(EXISTING, exchange(EXISTING), "amqp.consumer.declare", "false"))
			.endpoint("/missing", consumer(MISSING, exchange(MISSING), "amqp.consumer.declare", "false"))
			.endpoint("/bystander", consumer(BYSTANDER, exchange(BYSTANDER)))
			.endpoint("/recreated", consumer(RECREATED, exchange(RECREATED)))
			.endpoint("/elsewhere", consumer(ELSEWHERE, exchange(ELSEWHERE), "host[0]", TestBroker.url() + "/" + VHOST))
			.endpoint("/clash", consumer(CLASH, exchange(CLASH), "host[0]", TestBroker.url() + "/" + VHOST))
			.addTo(registry);
		registry.add("gateway.timeout", () -> "30s");
	}

	@AfterAll
	static void cleanUp(@Autowired ConsumerBackends backends) {
		// Stopped first: a backend whose queue disappears declares it again.
		backends.stop();
		RabbitAdmin admin = TestBroker.admin();
		QUEUES.forEach(admin::deleteQueue);
		QUEUES.forEach((queue) -> admin.deleteExchange(exchange(queue)));
		// Takes the queues and exchanges of the virtual host with it.
		TestBroker.rabbitmqctl("delete_vhost", VHOST);
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ConsumerBackends backends;

	@Autowired
	Brokers brokers;

	@Autowired
	DeclarationFailures declarationFailures;

	@Test
	void declaresEverythingAtStartupBeforeAnyRequest() {
		assertThat(TestBroker.admin().getQueueInfo(TOPIC)).isNotNull();
		assertThat(exchanges("/")).containsKey(exchange(TOPIC));
		assertThat(routingKeys("/", exchange(TOPIC), TOPIC)).isNotEmpty();
	}

	@Test
	void givesEachExchangeItsConfiguredType() {
		Map<String, Map<String, Object>> exchanges = exchanges("/");
		assertThat(exchanges.get(exchange(TOPIC))).containsEntry("type", "topic");
		assertThat(exchanges.get(exchange(DIRECT))).containsEntry("type", "direct");
		assertThat(exchanges.get(exchange(FANOUT))).containsEntry("type", "fanout");
		assertThat(exchanges.get(exchange(HEADERS))).containsEntry("type", "headers");
		assertThatException().isThrownBy(() -> declareExchange(exchange(DIRECT), "topic"))
			.withStackTraceContaining("PRECONDITION_FAILED - inequivalent arg 'type'");
	}

	@Test
	void makesExchangeAndQueueDurable() {
		assertThat(exchanges("/").get(exchange(DURABLE))).containsEntry("durable", true)
			.containsEntry("auto_delete", false);
		assertThat(queues("/").get(DURABLE)).containsEntry("durable", true).containsEntry("auto_delete", false);
		assertThatException().isThrownBy(() -> declareQueue(DURABLE, false, false, Map.of()))
			.withStackTraceContaining("PRECONDITION_FAILED - inequivalent arg 'durable'");
	}

	@Test
	void makesExchangeAndQueueAutoDeleteWithDelete() {
		assertThat(exchanges("/").get(exchange(DELETING))).containsEntry("durable", false)
			.containsEntry("auto_delete", true);
		assertThat(queues("/").get(DELETING)).containsEntry("durable", false).containsEntry("auto_delete", true);
		assertThatException().isThrownBy(() -> declareQueue(DELETING, false, false, Map.of()))
			.withStackTraceContaining("PRECONDITION_FAILED - inequivalent arg 'auto_delete'");
	}

	@Test
	void bindsTheQueueOncePerRoutingKey() {
		assertThat(routingKeys("/", exchange(TOPIC), TOPIC)).containsExactlyInAnyOrder("orders.*", "invoices.#",
				"refunds");
	}

	@Test
	void makesAnExclusiveQueueWithoutMakingItsExchangeInternal() {
		assertThat(queues("/").get(EXCLUSIVE)).containsEntry("exclusive", true);
		assertThat(exchanges("/").get(exchange(EXCLUSIVE))).containsEntry("internal", false);
		assertThatException().isThrownBy(() -> declareQueue(EXCLUSIVE, false, false, Map.of()))
			.withStackTraceContaining("RESOURCE_LOCKED");
	}

	@Test
	void passesQueueArgumentsWithTheirTypes() {
		assertThat(queues("/").get(LIMITED).get("arguments")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.contains(List.of("x-max-length", "long", 10), List.of("x-message-ttl", "long", 60000));
		assertThatException()
			.isThrownBy(() -> declareQueue(LIMITED, false, false, Map.of("x-max-length", 20, "x-message-ttl", 60000)))
			.withStackTraceContaining("PRECONDITION_FAILED - inequivalent arg 'x-max-length'");
	}

	@Test
	void declaresAQuorumQueue() {
		Map<String, Object> quorum = queues("/").get(QUORUM);
		assertThat(quorum).containsEntry("type", "quorum").containsEntry("durable", true);
		assertThat(quorum.get("arguments")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.contains(List.of("x-queue-type", "longstr", "quorum"));
	}

	@Test
	void declaresNothingWithoutDeclareAndConsumesTheExistingQueue() {
		assertThat(exchanges("/")).doesNotContainKey(exchange(EXISTING));
		assertThat(routingKeys("/", exchange(EXISTING), EXISTING)).isEmpty();
		await().until(() -> backend("/existing").status().isUp());
		TestBroker.publish("", EXISTING, "{\"existing\": true}");
		this.client.get().uri("/existing").exchange().expectStatus().isOk().expectBody().json("{\"existing\": true}");
	}

	@Test
	void keepsABackendWithoutItsQueueDownWithoutDeclaringIt() {
		await().untilAsserted(() -> assertThat(backend("/missing").status().lastError()).contains("NOT_FOUND",
				MISSING));
		assertThat(backend("/missing").status().isUp()).isFalse();
		assertThat(TestBroker.admin().getQueueInfo(MISSING)).isNull();
		assertThat(exchanges("/")).doesNotContainKey(exchange(MISSING));
		// Another backend of the same broker serves.
		await().until(() -> backend("/bystander").status().isUp());
		TestBroker.publish(exchange(BYSTANDER), "any", "{\"bystander\": true}");
		this.client.get().uri("/bystander").exchange().expectStatus().isOk().expectBody().json("{\"bystander\": true}");
	}

	@Test
	void redeclaresAQueueDeletedBehindItsBack() {
		await().until(() -> backend("/recreated").status().isUp());
		TestBroker.admin().deleteQueue(RECREATED);
		await().untilAsserted(() -> {
			assertThat(TestBroker.admin().getQueueInfo(RECREATED)).isNotNull();
			assertThat(backend("/recreated").status().isUp()).isTrue();
		});
		assertThat(routingKeys("/", exchange(RECREATED), RECREATED)).containsExactly("#");
		TestBroker.publish(exchange(RECREATED), "again", "{\"again\": true}");
		this.client.get().uri("/recreated").exchange().expectStatus().isOk().expectBody().json("{\"again\": true}");
	}

	@Test
	void redeclaresEverythingWhenAConnectionOpens() {
		await().until(() -> backend("/elsewhere").status().isUp());
		inVirtualHost((admin) -> admin.deleteExchange(exchange(ELSEWHERE)));
		assertThat(exchanges(VHOST)).doesNotContainKey(exchange(ELSEWHERE));
		TestBroker.rabbitmqctl("close_all_connections", "-p", VHOST, "test: reconnect");
		await().untilAsserted(() -> assertThat(routingKeys(VHOST, exchange(ELSEWHERE), ELSEWHERE)).containsExactly("#"));
		assertThat(exchanges(VHOST)).containsKey(exchange(ELSEWHERE));
	}

	@Test
	void declaresEachBrokersShareOnlyOnThatBroker() {
		assertThat(this.brokers.all()).hasSize(2);
		assertThat(queues(VHOST)).containsOnlyKeys(ELSEWHERE, CLASH);
		assertThat(exchanges(VHOST)).containsKey(exchange(ELSEWHERE)).doesNotContainKey(exchange(NEIGHBOUR));
		assertThat(queues("/")).containsKey(NEIGHBOUR).doesNotContainKey(ELSEWHERE);
		assertThat(exchanges("/")).containsKey(exchange(NEIGHBOUR)).doesNotContainKey(exchange(ELSEWHERE));
	}

	@Test
	void logsAConflictingDeclarationWithTheQueueAndTheBrokersReason(CapturedOutput output) {
		assertThat(output.getAll()).containsPattern("Cannot declare queue '" + CONFLICTING
				+ "': endpoint /conflicting .*PRECONDITION_FAILED - inequivalent arg 'durable'");
	}

	@Test
	void keepsTheConflictForHealth() {
		Broker broker = backend("/conflicting").broker();
		assertThat(this.declarationFailures.failures(broker)).containsOnlyKeys(CONFLICTING);
		assertThat(this.declarationFailures.failure(broker, CONFLICTING)).hasValueSatisfying((reason) -> assertThat(
				reason).contains("PRECONDITION_FAILED - inequivalent arg 'durable' for queue '" + CONFLICTING + "'"));
	}

	@Test
	void forgetsAConflictOnceADeclarationRoundOnANewConnectionSucceeds() {
		Broker broker = backend("/clash").broker();
		assertThat(this.declarationFailures.failure(broker, CLASH)).isPresent();
		inVirtualHost((admin) -> admin.deleteQueue(CLASH));
		TestBroker.rabbitmqctl("close_all_connections", "-p", VHOST, "test: reconnect");
		await().untilAsserted(() -> assertThat(this.declarationFailures.failures(broker)).isEmpty());
		assertThat(queues(VHOST).get(CLASH)).containsEntry("durable", false);
	}

	@Test
	void declaresTheRestOfTheBrokersShareAfterAConflict() {
		assertThat(queues("/").get(CONFLICTING)).containsEntry("durable", true);
		assertThat(routingKeys("/", exchange(NEIGHBOUR), NEIGHBOUR)).containsExactly("#");
		await().until(() -> backend("/neighbour").status().isUp());
		TestBroker.publish(exchange(NEIGHBOUR), "next", "{\"neighbour\": true}");
		this.client.get().uri("/neighbour").exchange().expectStatus().isOk().expectBody().json("{\"neighbour\": true}");
	}

	private ConsumerBackend backend(String endpoint) {
		return this.backends.all().stream()
			.filter((backend) -> backend.endpoint().equals(endpoint))
			.findFirst()
			.orElseThrow();
	}

	private static String exchange(String queue) {
		return queue + "-x";
	}

	private static void declareQueue(String name, boolean durable, boolean autoDelete, Map<String, Object> arguments) {
		TestBroker.template().execute((Channel channel) -> channel.queueDeclare(name, durable, false, autoDelete,
				arguments));
	}

	private static void declareExchange(String name, String type) {
		TestBroker.template().execute((Channel channel) -> channel.exchangeDeclare(name, type));
	}

	private static void inVirtualHost(Consumer<RabbitAdmin> action) {
		CachingConnectionFactory connectionFactory = new CachingConnectionFactory(TestBroker.host(), TestBroker.port());
		connectionFactory.setUsername("guest");
		connectionFactory.setPassword("guest");
		connectionFactory.setVirtualHost(VHOST);
		try {
			action.accept(new RabbitAdmin(connectionFactory));
		}
		finally {
			connectionFactory.destroy();
		}
	}

	private static Map<String, Map<String, Object>> queues(String vhost) {
		return byName(list("list_queues", vhost, "name", "type", "durable", "auto_delete", "exclusive", "arguments"));
	}

	private static Map<String, Map<String, Object>> exchanges(String vhost) {
		return byName(list("list_exchanges", vhost, "name", "type", "durable", "auto_delete", "internal"));
	}

	private static List<String> routingKeys(String vhost, String exchange, String queue) {
		return list("list_bindings", vhost, "source_name", "destination_name", "routing_key").stream()
			.filter((binding) -> exchange.equals(binding.get("source_name")) && queue.equals(binding.get("destination_name")))
			.map((binding) -> (String) binding.get("routing_key"))
			.toList();
	}

	private static Map<String, Map<String, Object>> byName(List<Map<String, Object>> rows) {
		return rows.stream().collect(Collectors.toMap((row) -> (String) row.get("name"), Function.identity()));
	}

	private static List<Map<String, Object>> list(String command, String vhost, String... columns) {
		String[] arguments = new String[columns.length + 5];
		arguments[0] = command;
		arguments[1] = "-q";
		arguments[2] = "--formatter=json";
		arguments[3] = "-p";
		arguments[4] = vhost;
		System.arraycopy(columns, 0, arguments, 5, columns.length);
		return JsonMapper.shared().readValue(TestBroker.rabbitmqctl(arguments), new TypeReference<>() {
		});
	}

}
