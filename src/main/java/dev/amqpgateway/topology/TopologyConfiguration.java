package dev.amqpgateway.topology;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.config.AsyncAgent;
import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.Consumer;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import dev.amqpgateway.config.Producer;

import org.springframework.amqp.core.AbstractDeclarable;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.ExchangeBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The exchanges, queues and bindings of every consumer and agent that declares them, and the exchange of
 * every producer, each scoped to the admin of its own broker, which declares them whenever a
 * connection opens.
 */
@Configuration(proxyBeanMethods = false)
class TopologyConfiguration {

	@Bean
	Declarables gatewayTopology(GatewayProperties properties, Brokers brokers) {
		Map<String, Declarable> declarables = new LinkedHashMap<>();
		for (Endpoint endpoint : properties.endpoints()) {
			for (Backend backend : endpoint.backend()) {
				Broker broker = brokers.brokerFor(backend);
				List<Declarable> declared;
				if (backend.isProducer()) {
					// A producer declares its exchange and nothing else: where its messages go is the
					// bindings' business, and a queue it declared would swallow them unseen.
					Exchange exchange = exchange(backend.producer());
					((AbstractDeclarable) exchange).setAdminsThatShouldDeclare(broker.admin());
					declared = List.of(exchange);
				}
				else if (backend.consumer().declare()) {
					// no_wait is deliberately not applied: the admin waits for each declare-ok, which is
					// what names the refused declaration, and what makes the queue exist before a
					// backend's basic.consume on another channel (the broker orders nothing across channels).
					declared = declare(backend.consumer(), broker);
				}
				else {
					declared = List.of();
				}
				declared.forEach((declarable) -> declarables.putIfAbsent(broker.id() + " " + describe(declarable),
						declarable));
			}
		}
		for (AsyncAgent agent : properties.asyncAgents()) {
			Backend backend = agent.amqpBackend();
			if (backend.consumer().declare()) {
				Broker broker = brokers.brokerFor(backend);
				declare(backend.consumer(), broker).forEach((declarable) -> declarables
					.putIfAbsent(broker.id() + " " + describe(declarable), declarable));
			}
		}
		return new Declarables(declarables.values());
	}

	@Bean
	DeclarationFailures declarationFailures(GatewayProperties properties, Brokers brokers) {
		return new DeclarationFailures(properties, brokers);
	}

	private static List<Declarable> declare(Consumer consumer, Broker broker) {
		Exchange exchange = exchange(consumer);
		Queue queue = queue(consumer);
		List<Declarable> declarables = new ArrayList<>();
		declarables.add(exchange);
		declarables.add(queue);
		for (String routingKey : consumer.routingKey()) {
			declarables.add(BindingBuilder.bind(queue).to(exchange).with(routingKey).noargs());
		}
		declarables.forEach((declarable) -> ((AbstractDeclarable) declarable).setAdminsThatShouldDeclare(broker.admin()));
		return declarables;
	}

	static Exchange exchange(Consumer consumer) {
		ExchangeBuilder builder = new ExchangeBuilder(consumer.exchange(), consumer.exchangeType().amqpName())
			.durable(consumer.durable());
		if (consumer.delete()) {
			builder.autoDelete();
		}
		return builder.build();
	}

	static Exchange exchange(Producer producer) {
		ExchangeBuilder builder = new ExchangeBuilder(producer.exchange(), producer.exchangeType().amqpName())
			.durable(producer.durable());
		if (producer.delete()) {
			builder.autoDelete();
		}
		return builder.build();
	}

	static Queue queue(Consumer consumer) {
		QueueBuilder builder = consumer.durable() ? QueueBuilder.durable(consumer.name())
				: QueueBuilder.nonDurable(consumer.name());
		if (consumer.delete()) {
			builder.autoDelete();
		}
		if (consumer.exclusive()) {
			builder.exclusive();
		}
		return builder.withArguments(QueueArguments.of(consumer.queueArguments())).build();
	}

	private static String describe(Declarable declarable) {
		if (declarable instanceof Exchange exchange) {
			return "exchange " + exchange.getName();
		}
		if (declarable instanceof Queue queue) {
			return "queue " + queue.getName();
		}
		Binding binding = (Binding) declarable;
		return "binding " + binding.getDestination() + " " + binding.getExchange() + " " + binding.getRoutingKey();
	}

}
