package dev.amqpgateway.topology;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.broker.Failures;
import dev.amqpgateway.config.AsyncAgent;
import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.Consumer;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.DeclarationExceptionEvent;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.context.ApplicationListener;

/**
 * The declarations each broker refused in its latest declaration round (a conflict with what
 * exists, a missing permission), by queue, as the brokers' admins report them.
 */
public class DeclarationFailures implements ApplicationListener<DeclarationExceptionEvent> {

	private static final Log logger = LogFactory.getLog(DeclarationFailures.class);

	private final Map<Object, BrokerFailures> byAdmin = new IdentityHashMap<>();

	DeclarationFailures(GatewayProperties properties, Brokers brokers) {
		for (Broker broker : brokers.all()) {
			BrokerFailures failures = new BrokerFailures(broker);
			this.byAdmin.put(broker.admin(), failures);
			// Brokers registered the admin's listener first, so this one runs after the admin has
			// declared everything on a new connection: what failed in that round is what fails now.
			broker.connectionFactory().addConnectionListener((connection) -> failures.roundFinished());
		}
		for (Endpoint endpoint : properties.consumerEndpoints()) {
			for (Backend backend : endpoint.backend()) {
				Consumer consumer = backend.consumer();
				if (consumer.declare()) {
					// brokerFor answers one of brokers.all(), each of which was put in above
					RabbitAdmin admin = brokers.brokerFor(backend).admin();
					BrokerFailures failures = Objects.requireNonNull(this.byAdmin.get(admin),
							"no failures kept for the broker of a configured backend");
					failures.shares.add(new Share(endpoint.endpoint(), consumer.name(), consumer.exchange()));
				}
			}
		}
		for (AsyncAgent agent : properties.asyncAgents()) {
			Backend backend = agent.amqpBackend();
			if (backend.consumer().declare()) {
				BrokerFailures failures = Objects.requireNonNull(this.byAdmin.get(brokers.brokerFor(backend).admin()),
						"no failures kept for the broker of a configured agent");
				failures.shares.add(new Share("agent:" + agent.name(), backend.consumer().name(),
						backend.consumer().exchange()));
			}
		}
	}

	/**
	 * The queues of a broker whose exchange, queue or binding the broker refused, with its reason.
	 * @param broker one of the configured brokers
	 * @return queue names and the broker's reply, such as {@code 406 PRECONDITION_FAILED - inequivalent
	 * arg 'durable' for queue 'orders' in vhost '/': received 'false' but current is 'true'}; empty when
	 * everything was declared
	 */
	public Map<String, String> failures(Broker broker) {
		BrokerFailures failures = this.byAdmin.get(broker.admin());
		return (failures != null) ? failures.current : Map.of();
	}

	/**
	 * Why the broker refused to declare a queue, its exchange or one of its bindings.
	 * @param broker the broker of the queue
	 * @param queue the queue name
	 * @return the broker's reply, or empty when the queue's topology was declared
	 */
	public Optional<String> failure(Broker broker, String queue) {
		return Optional.ofNullable(failures(broker).get(queue));
	}

	@Override
	public void onApplicationEvent(DeclarationExceptionEvent event) {
		BrokerFailures failures = this.byAdmin.get(event.getSource());
		Declarable declarable = event.getDeclarable();
		if (failures == null || declarable == null) {
			return;
		}
		String reason = Failures.describe(event.getThrowable());
		for (Share share : failures.sharesOf(declarable)) {
			logger.warn("Cannot declare " + describe(declarable) + ": endpoint " + share.endpoint() + " (queue '"
					+ share.queue() + "' on " + failures.broker + "): " + reason);
			failures.failed(share.queue(), reason);
		}
	}

	private static String describe(Declarable declarable) {
		if (declarable instanceof Exchange exchange) {
			return "exchange '" + exchange.getName() + "'";
		}
		if (declarable instanceof Queue queue) {
			return "queue '" + queue.getName() + "'";
		}
		Binding binding = (Binding) declarable;
		return "binding '" + binding.getRoutingKey() + "' from exchange '" + binding.getExchange() + "'";
	}

	/**
	 * The exchange and queue one backend declares, and the endpoint it belongs to.
	 */
	private record Share(String endpoint, String queue, String exchange) {

		boolean uses(Declarable declarable) {
			if (declarable instanceof Exchange exchange) {
				return this.exchange.equals(exchange.getName());
			}
			if (declarable instanceof Queue queue) {
				return this.queue.equals(queue.getName());
			}
			return declarable instanceof Binding binding && binding.isDestinationQueue()
					&& this.queue.equals(binding.getDestination());
		}

	}

	/**
	 * One broker's shares and the failures of its current and latest finished declaration rounds.
	 */
	private static final class BrokerFailures {

		private final Broker broker;

		private final List<Share> shares = new ArrayList<>();

		private final Map<String, String> round = new LinkedHashMap<>();

		private volatile Map<String, String> current = Map.of();

		BrokerFailures(Broker broker) {
			this.broker = broker;
		}

		List<Share> sharesOf(Declarable declarable) {
			return this.shares.stream().filter((share) -> share.uses(declarable)).toList();
		}

		synchronized void failed(String queue, String reason) {
			this.round.put(queue, reason);
			Map<String, String> next = new LinkedHashMap<>(this.current);
			next.put(queue, reason);
			this.current = Collections.unmodifiableMap(next);
		}

		synchronized void roundFinished() {
			this.current = Collections.unmodifiableMap(new LinkedHashMap<>(this.round));
			this.round.clear();
		}

	}

}
