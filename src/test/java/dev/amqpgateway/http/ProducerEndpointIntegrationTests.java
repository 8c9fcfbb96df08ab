package dev.amqpgateway.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.amqpgateway.support.Actuator;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TcpProxy;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Producer endpoints against a real broker: a request's body is published, and the answer says
 * what the broker did with it — confirmed, refused, returned as unroutable, not confirmed in time,
 * or never sent because the broker is unreachable.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class ProducerEndpointIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("produce-x");

	static final String QUEUE = GatewayEndpoints.unique("produced");

	static final String FULL_EXCHANGE = GatewayEndpoints.unique("full-x");

	static final String FULL_QUEUE = GatewayEndpoints.unique("full");

	static final String STALLED_EXCHANGE = GatewayEndpoints.unique("stalled-x");

	static final TcpProxy STALLED = TcpProxy.to(TestBroker.host(), TestBroker.port());

	@BeforeAll
	static void queues() {
		TestBroker.admin().declareExchange(new TopicExchange(EXCHANGE, true, false));
		TestBroker.admin().declareQueue(QueueBuilder.durable(QUEUE).maxPriority(10).build());
		TestBroker.admin().declareBinding(BindingBuilder.bind(new Queue(QUEUE)).to(new TopicExchange(EXCHANGE)).with("orders.#"));
		TestBroker.admin().declareExchange(new TopicExchange(FULL_EXCHANGE, false, false));
		// Holds one message and refuses the next: the broker nacks it.
		TestBroker.admin().declareQueue(QueueBuilder.nonDurable(FULL_QUEUE).maxLength(1).overflow(
				QueueBuilder.Overflow.rejectPublish).build());
		TestBroker.admin().declareBinding(BindingBuilder.bind(new Queue(FULL_QUEUE)).to(new TopicExchange(FULL_EXCHANGE))
			.with("#"));
	}

	@AfterAll
	static void cleanUp() {
		STALLED.close();
		TestBroker.delete(List.of(QUEUE, FULL_QUEUE), EXCHANGE, FULL_EXCHANGE, FULL_EXCHANGE + "-unbound",
				STALLED_EXCHANGE);
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints()
			// KrakenD's producer example, with the routing key taken from the path.
			.endpoint("/produce/{a}/{b}/{id}/{prio}/{route}", producer(EXCHANGE, "durable", "true",
					"routing_key", "Route", "msg_id_key", "Id", "priority_key", "Prio"))
			.endpoint("/static", producer(EXCHANGE, "durable", "true", "routing_key", "orders.static",
					"static_routing_key", "true", "delivery_mode", "transient"))
			// KrakenD's documented "routing_key": "#" without static_routing_key: used as written.
			.endpoint("/trap", producer(EXCHANGE, "durable", "true", "routing_key", "orders.trap"))
			// Two exchanges: the first routes to the queue, the second nowhere.
			.endpoint("/both", producer(EXCHANGE, "durable", "true", "routing_key", "orders.both", "static_routing_key",
					"true"), producer(FULL_EXCHANGE + "-unbound", "routing_key", "any", "static_routing_key", "true"))
			.endpoint("/full", producer(FULL_EXCHANGE, "routing_key", "any", "static_routing_key", "true"))
			.endpoint("/nowhere", producer(EXCHANGE, "durable", "true", "routing_key", "unbound", "static_routing_key",
					"true", "host[0]", TestBroker.NOWHERE))
			.endpoint("/stalled", producer(STALLED_EXCHANGE, "routing_key", "any", "static_routing_key", "true",
					"host[0]", TestBroker.urlFor(STALLED.port())))
			.timeout("2s")
			.addTo(registry);
		registry.add("gateway.endpoints[0].input_headers[0]", () -> "X-Tenant");
		registry.add("gateway.max_body_size", () -> "1KB");
		registry.add("gateway.timeout", () -> "30s");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	io.micrometer.core.instrument.MeterRegistry meters;

	private double counter(String name, String endpoint) {
		return this.meters.get(name).tag("endpoint", endpoint).counter().count();
	}

	@Test
	void publishesTheBodyAsItIsAndAnswersItsMessageIdOnceConfirmed() {
		this.client.post().uri("/produce/1/2/order-7/5/orders.new")
			.contentType(MediaType.APPLICATION_JSON)
			.header("X-Tenant", "acme")
			.header("X-Correlation-Id", "corr-1")
			.header("X-Other", "not copied")
			.bodyValue("{\"order\": 7}")
			.exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"message_id\": \"order-7\"}", true);
		Message message = TestBroker.template().receive(QUEUE, 10_000);
		assertThat(message).isNotNull();
		assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"order\": 7}");
		assertThat(message.getMessageProperties().getMessageId()).isEqualTo("order-7");
		assertThat(message.getMessageProperties().getPriority()).isEqualTo(5);
		assertThat(message.getMessageProperties().getReceivedRoutingKey()).isEqualTo("orders.new");
		assertThat(message.getMessageProperties().getReceivedDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
		assertThat(message.getMessageProperties().getContentType()).isEqualTo("application/json");
		assertThat(message.getMessageProperties().getCorrelationId()).isEqualTo("corr-1");
		assertThat(message.getMessageProperties().getTimestamp()).isNotNull();
		Map<String, Object> headers = message.getMessageProperties().getHeaders();
		assertThat(headers).containsEntry("X-Tenant", "acme").doesNotContainKey("X-Other");
	}

	@Test
	void aMessageIdFromThePathIsAnsweredAsJsonWhateverItsCharacters() {
		String id = "say \"hi\" \\ \u00e9t\u00e9";
		this.client.post().uri("/produce/1/2/{id}/0/orders.escaped", id)
			.bodyValue("{}")
			.exchange()
			.expectStatus().isOk()
			.expectHeader().contentType(MediaType.APPLICATION_JSON)
			.expectBody().json("{\"message_id\": \"say \\\"hi\\\" \\\\ \u00e9t\u00e9\"}", true);
		Message message = TestBroker.template().receive(QUEUE, 10_000);
		assertThat(message).isNotNull();
		assertThat(message.getMessageProperties().getMessageId()).isEqualTo(id);
	}

	@Test
	void aStaticRoutingKeyAndTransientDeliveryAreUsedAsConfigured() {
		EntityExchangeResult<Map> result = this.client.post().uri("/static")
			.bodyValue("plain text")
			.exchange()
			.expectStatus().isOk()
			.expectBody(Map.class).returnResult();
		Message message = TestBroker.template().receive(QUEUE, 10_000);
		assertThat(message).isNotNull();
		assertThat(message.getMessageProperties().getReceivedRoutingKey()).isEqualTo("orders.static");
		assertThat(message.getMessageProperties().getReceivedDeliveryMode()).isEqualTo(MessageDeliveryMode.NON_PERSISTENT);
		// A random id when no parameter names one.
		assertThat(message.getMessageProperties().getMessageId()).isEqualTo(result.getResponseBody().get("message_id"))
			.hasSize(36);
	}

	@Test
	void aRoutingKeyThatNamesNoParameterIsUsedAsWrittenNotDropped() {
		this.client.post().uri("/trap").bodyValue("{\"trap\": true}").exchange().expectStatus().isOk();
		Message message = TestBroker.template().receive(QUEUE, 10_000);
		assertThat(message).isNotNull();
		assertThat(message.getMessageProperties().getReceivedRoutingKey()).isEqualTo("orders.trap");
	}

	@Test
	void aMessageNoQueueReceivesIsAnsweredUnroutableNotDroppedWithOk() {
		this.client.post().uri("/produce/1/2/lost-1/0/nowhere.at.all")
			.bodyValue("{}")
			.exchange()
			.expectStatus().isEqualTo(502)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:unroutable")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("NO_ROUTE"));
	}

	@Test
	void confirmsAndReturnsOfConcurrentRequestsSettleEachRequest() throws Exception {
		List<CompletableFuture<Integer>> answers = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			String route = (i % 2 == 0) ? "orders.concurrent" : "nowhere.concurrent";
			String uri = "/produce/1/2/concurrent-" + i + "/0/" + route;
			answers.add(CompletableFuture.supplyAsync(() -> this.client.post().uri(uri).bodyValue("{}").exchange()
				.returnResult(String.class).getStatus().value()));
		}
		for (int i = 0; i < answers.size(); i++) {
			assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).as("request %d", i).isEqualTo((i % 2 == 0) ? 200 : 502);
		}
		List<String> ids = new ArrayList<>();
		Message message;
		while ((message = TestBroker.template().receive(QUEUE, 1000)) != null) {
			ids.add(message.getMessageProperties().getMessageId());
		}
		assertThat(ids).hasSize(20).allMatch((id) -> Integer.parseInt(id.substring("concurrent-".length())) % 2 == 0);
	}

	@Test
	void anEndpointWithSeveralBackendsAnswersOkOnlyWhenEveryBrokerConfirmedAndListsEachOutcome() {
		this.client.post().uri("/both").bodyValue("{\"both\": true}").exchange()
			.expectStatus().isEqualTo(502)
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:unroutable")
			.jsonPath("$.backends.length()").isEqualTo(2)
			.jsonPath("$.backends[0].outcome").isEqualTo("confirmed")
			.jsonPath("$.backends[1].outcome").isEqualTo("unroutable");
		// The first exchange took it: the problem says so, and the message is there.
		Message message = TestBroker.template().receive(QUEUE, 10_000);
		assertThat(message).isNotNull();
		assertThat(message.getMessageProperties().getReceivedRoutingKey()).isEqualTo("orders.both");
	}

	@Test
	void countsWhatItPublishedAndWhatTheBrokerAnswered() {
		double confirmedBefore = counter("gateway.published.confirmed", "/static");
		double publishedBefore = counter("gateway.published", "/static");
		this.client.post().uri("/static").bodyValue("{}").exchange().expectStatus().isOk();
		assertThat(counter("gateway.published", "/static")).isEqualTo(publishedBefore + 1);
		assertThat(counter("gateway.published.confirmed", "/static")).isEqualTo(confirmedBefore + 1);
		assertThat(this.meters.get("gateway.published.confirm").tag("endpoint", "/static").timer().count()).isPositive();
		TestBroker.template().receive(QUEUE, 10_000);
	}

	@Test
	void aMessageTheBrokerRefusesIsAnsweredRefused() {
		this.client.post().uri("/full").bodyValue("{\"first\": true}").exchange().expectStatus().isOk();
		this.client.post().uri("/full").bodyValue("{\"second\": true}").exchange()
			.expectStatus().isEqualTo(502)
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:publish-refused");
		assertThat(TestBroker.depth(FULL_QUEUE).ready()).isOne();
	}

	@Test
	void aPriorityOutOfRangeIsABadRequestAndPublishesNothing() {
		this.client.post().uri("/produce/1/2/bad-prio/256/orders.bad").bodyValue("{}").exchange()
			.expectStatus().isBadRequest()
			.expectBody()
			.jsonPath("$.detail").isEqualTo("The priority must be a number from 0 to 255; got '256'. Nothing was published.");
		assertThat(TestBroker.template().receive(QUEUE, 500)).isNull();
	}

	@Test
	void aBodyOverMaxBodySizeIsRefusedWhetherItsLengthIsDeclaredOrNot() {
		String large = "x".repeat(1025);
		this.client.post().uri("/static").bodyValue(large).exchange()
			.expectStatus().isEqualTo(413)
			.expectBody().jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:payload-too-large");
		// Chunked: no Content-Length, so the limit is found while reading.
		this.client.post().uri("/static")
			.body(reactor.core.publisher.Flux.just(large.substring(0, 600), large.substring(600)), String.class)
			.exchange()
			.expectStatus().isEqualTo(413);
		assertThat(TestBroker.template().receive(QUEUE, 500)).isNull();
	}

	@Test
	void otherMethodsAreNotAllowed() {
		this.client.get().uri("/static").exchange()
			.expectStatus().isEqualTo(405)
			.expectHeader().valueEquals("Allow", "POST");
	}

	@Test
	void anUnreachableBrokerIsServiceUnavailableAtOnceWithRetryAfter() {
		this.client.post().uri("/nowhere").bodyValue("{}").exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().exists("Retry-After")
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:broker-unavailable")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).startsWith("Nothing was published"));
	}

	@Test
	void noConfirmInTimeIsAGatewayTimeoutThatSaysTheMessageMayHaveBeenPublished() {
		STALLED.stall();
		try {
			this.client.post().uri("/stalled").bodyValue("{}").exchange()
				.expectStatus().isEqualTo(504)
				.expectBody()
				.jsonPath("$.type").isEqualTo("urn:amqp-gateway:problem:confirm-timeout")
				.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("may have been published"));
		}
		finally {
			STALLED.resume();
		}
	}

	@Test
	void eachProducerBackendIsAHealthComponentWithItsExchangeAndState() {
		actuator().get().uri("/actuator/health/gateway/static/0").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.details.exchange").isEqualTo(EXCHANGE)
			.jsonPath("$.details.state").isEqualTo("UP");
		actuator().get().uri("/actuator/health/gateway/nowhere/0").exchange()
			.expectStatus().isEqualTo(503)
			.expectBody()
			.jsonPath("$.status").isEqualTo("DOWN")
			.jsonPath("$.details.lastError").exists();
	}

	private static Map<String, Object> producer(String exchange, String... keys) {
		Map<String, Object> values = new java.util.LinkedHashMap<>();
		values.put("amqp.producer.exchange", exchange);
		for (int i = 0; i + 1 < keys.length; i += 2) {
			values.put(keys[i].startsWith("host") ? keys[i] : "amqp.producer." + keys[i], keys[i + 1]);
		}
		return values;
	}

	@LocalManagementPort
	int managementPort;

	private WebTestClient actuator() {
		return Actuator.client(this.managementPort);
	}

}
