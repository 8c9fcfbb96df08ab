package dev.amqpgateway.health;

import java.util.List;

import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.BrokerUri;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.DeclarationExceptionEvent;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refused declarations as the broker reports them, kept until a connection declares without them.
 */
class DeclarationFailuresTests {

	private final String queue = GatewayEndpoints.unique("refused");

	private CachingConnectionFactory connectionFactory;

	private RabbitAdmin admin;

	private Broker broker;

	private DeclarationFailures failures;

	private GenericApplicationContext context;

	@BeforeEach
	void brokerWithADurableQueue() {
		TestBroker.admin().declareQueue(new Queue(this.queue, true));
		this.connectionFactory = new CachingConnectionFactory(TestBroker.host(), TestBroker.port());
		RabbitTemplate template = new RabbitTemplate(this.connectionFactory);
		this.admin = new RabbitAdmin(template);
		this.admin.setIgnoreDeclarationExceptions(true);
		this.admin.setRetryTemplate(null);
		// As in the gateway: the admin declares the context's queue on every new connection.
		this.context = new GenericApplicationContext();
		this.context.registerBean(Queue.class, () -> new Queue(this.queue, false));
		this.context.refresh();
		this.admin.setApplicationContext(this.context);
		this.admin.setApplicationEventPublisher(
				(event) -> this.failures.onApplicationEvent((DeclarationExceptionEvent) event));
		this.admin.afterPropertiesSet();
		this.broker = new Broker("broker-test", List.of(BrokerUri.parse(TestBroker.url())), this.connectionFactory,
				this.admin, template);
		this.failures = new DeclarationFailures(List.of(this.broker));
	}

	@AfterEach
	void cleanUp() {
		this.connectionFactory.destroy();
		this.context.close();
		TestBroker.admin().deleteQueue(this.queue);
	}

	@Test
	void remembersTheBrokersReasonForARefusedQueue() {
		this.connectionFactory.createConnection();
		assertThat(this.failures.of(this.broker, this.queue, "some-exchange")).singleElement()
			.asString()
			.startsWith("queue '" + this.queue + "': 406 PRECONDITION_FAILED")
			.contains("inequivalent arg 'durable'");
	}

	@Test
	void concernsOnlyTheBackendOfThatQueue() {
		this.connectionFactory.createConnection();
		assertThat(this.failures.of(this.broker, "another-queue", "some-exchange")).isEmpty();
	}

	@Test
	void keepsARefusalThatTheNextConnectionRepeats() {
		this.connectionFactory.createConnection();
		this.connectionFactory.resetConnection();
		this.connectionFactory.createConnection();
		assertThat(this.failures.of(this.broker, this.queue, "some-exchange")).hasSize(1);
	}

	@Test
	void forgetsARefusalThatTheNextConnectionDoesNotRepeat() {
		this.connectionFactory.createConnection();
		assertThat(this.failures.of(this.broker, this.queue, "some-exchange")).hasSize(1);
		TestBroker.admin().deleteQueue(this.queue);
		this.connectionFactory.resetConnection();
		this.connectionFactory.createConnection();
		assertThat(this.failures.of(this.broker, this.queue, "some-exchange")).isEmpty();
	}

}
