package dev.amqpgateway.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.amqpgateway.AmqpGatewayApplication;
import dev.amqpgateway.support.GatewayAgents;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.HttpSink;
import dev.amqpgateway.support.HttpSink.Reply;
import dev.amqpgateway.support.TestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message an agent is sending when the gateway shuts down is settled by what its backend makes
 * of it: accepted within the grace period, it is acknowledged; still unanswered, it goes back to
 * the queue. Either way nothing is acknowledged unsent, and a stopping agent takes no new message.
 */
class AgentShutdownIntegrationTests {

	static final String AGENT = "shutdown";

	final HttpSink sink = HttpSink.start();

	final String exchange = GatewayEndpoints.unique("agent-shutdown-x");

	final String queue = GatewayEndpoints.unique("agent-shutdown");

	/** Boot's {@code spring.lifecycle.timeout-per-shutdown-phase}: the gateway's own unless a test shortens it. */
	String shutdownPhase = "10s";

	ConfigurableApplicationContext gateway;

	@AfterEach
	void closeAndCleanUp() {
		if (this.gateway != null) {
			this.gateway.close();
		}
		this.sink.close();
		TestBroker.admin().deleteQueue(this.queue);
		TestBroker.admin().deleteExchange(this.exchange);
	}

	@Test
	void messageAcceptedWithinTheGracePeriodIsAcknowledgedOnce() {
		this.sink.on("hold", (request) -> Reply.after(Duration.ofSeconds(1), 200));
		start("consumer.timeout", "2s");
		publish("m-1");
		MeterRegistry meters = closeWhileSending();
		assertThat(this.sink.requests("hold")).extracting(HttpSink.Request::body).containsExactly(body("m-1"));
		assertThat(count(meters, "gateway.agent.acked")).isEqualTo(1);
		assertThat(settledDepth()).isEqualTo(new TestBroker.QueueDepth(0, 0));
	}

	@Test
	void messageStillUnansweredGoesBackToTheQueue() {
		this.sink.on("hold", (request) -> Reply.after(Duration.ofSeconds(30), 200));
		// A back-off longer than the timeout: had the timeout fired before the shutdown, the
		// message would wait here rather than be sent again.
		start("consumer.timeout", "1s", "connection.backoff_strategy", "exponential");
		publish("m-1");
		MeterRegistry meters = closeWhileSending();
		assertThat(this.sink.requests("hold")).extracting(HttpSink.Request::body).containsExactly(body("m-1"));
		assertThat(count(meters, "gateway.agent.acked")).isZero();
		assertThat(settledDepth()).isEqualTo(new TestBroker.QueueDepth(1, 0));
		assertThat(drainQueue()).containsExactly("m-1");
	}

	@Test
	void messageStillInFlightWhenTheShutdownPhaseEndsGoesBackToTheQueue() {
		this.sink.on("hold", (request) -> Reply.after(Duration.ofSeconds(30), 200));
		// The agent's grace (its timeout and a second) outlasts the shutdown phase: the phase ends
		// first, and the channel closes under the message being sent.
		this.shutdownPhase = "2s";
		start("consumer.timeout", "5s");
		publish("m-1");
		MeterRegistry meters = closeWhileSending();
		assertThat(this.sink.requests("hold")).extracting(HttpSink.Request::body).containsExactly(body("m-1"));
		assertThat(count(meters, "gateway.agent.acked")).isZero();
		assertThat(settledDepth()).isEqualTo(new TestBroker.QueueDepth(1, 0));
		assertThat(drainQueue()).containsExactly("m-1");
	}

	@Test
	void stoppingAgentTakesNoNewMessage() {
		this.sink.on("hold", (request) -> Reply.after(Duration.ofMillis(1500), 200));
		start("consumer.timeout", "5s");
		List<String> published = List.of("m-1", "m-2", "m-3", "m-4", "m-5");
		published.forEach(this::publish);
		MeterRegistry meters = closeWhileSending();
		List<HttpSink.Request> requests = this.sink.requests("hold");
		assertThat(requests).hasSize(1);
		assertThat(count(meters, "gateway.agent.sent")).isEqualTo(1);
		assertThat(count(meters, "gateway.agent.acked")).isEqualTo(1);
		assertThat(settledDepth()).isEqualTo(new TestBroker.QueueDepth(published.size() - 1, 0));
		Set<String> accountedFor = new HashSet<>(drainQueue());
		assertThat(accountedFor).doesNotContain(idOf(requests.get(0)));
		accountedFor.add(idOf(requests.get(0)));
		assertThat(accountedFor).containsExactlyInAnyOrderElementsOf(published);
	}

	/**
	 * Close the gateway once its only agent is sending a message; returns when it has closed.
	 * @return the closed gateway's meters
	 */
	private MeterRegistry closeWhileSending() {
		Agent agent = this.gateway.getBean(AsyncAgents.class).all().get(0);
		MeterRegistry meters = this.gateway.getBean(MeterRegistry.class);
		await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(20))
			.until(() -> this.sink.requests("hold").size() == 1 && agent.status().inFlight() == 1);
		this.gateway.close();
		this.gateway = null;
		return meters;
	}

	private static double count(MeterRegistry meters, String name) {
		return meters.get(name).tag("agent", AGENT).counter().count();
	}

	/**
	 * The queue's depth once the closed gateway's connection is gone from the broker.
	 */
	private TestBroker.QueueDepth settledDepth() {
		await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(this.queue).unacknowledged() == 0);
		return TestBroker.depth(this.queue);
	}

	private List<String> drainQueue() {
		List<String> ids = new ArrayList<>();
		Message message;
		while ((message = TestBroker.template().receive(this.queue)) != null) {
			ids.add(message.getMessageProperties().getMessageId());
		}
		return ids;
	}

	private void start(Object... agentKeys) {
		Object[] keys = new Object[agentKeys.length + 4];
		keys[0] = "consumer.workers";
		keys[1] = "1";
		keys[2] = "amqp.durable";
		keys[3] = "true";
		System.arraycopy(agentKeys, 0, keys, 4, agentKeys.length);
		GatewayAgents agents = new GatewayAgents().agent(AGENT, this.queue, this.exchange,
				List.of(this.sink.url() + "/hold"), keys);
		List<String> args = new ArrayList<>();
		args.add("--server.port=0");
		args.add("--spring.lifecycle.timeout-per-shutdown-phase=" + this.shutdownPhase);
		agents.properties().forEach((name, value) -> args.add("--" + name + "=" + value));
		this.gateway = new SpringApplicationBuilder(AmqpGatewayApplication.class).main(AmqpGatewayApplication.class)
			.run(args.toArray(String[]::new));
	}

	private void publish(String id) {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(id);
		TestBroker.publish(this.exchange, this.queue, body(id), properties);
	}

	private static String body(String id) {
		return "{\"id\":\"" + id + "\"}";
	}

	private static String idOf(HttpSink.Request request) {
		return request.headers().get("X-Amqp-Message-Id");
	}

}
