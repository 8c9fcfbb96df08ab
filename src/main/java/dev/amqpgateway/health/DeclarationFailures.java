package dev.amqpgateway.health;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.Failures;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.DeclarationExceptionEvent;
import org.springframework.context.ApplicationListener;

/**
 * The declarations each broker refused (PRECONDITION_FAILED and the like), with the broker's
 * reason, as its admin reports them; a refusal is forgotten once a later connection declares
 * without it.
 */
class DeclarationFailures implements ApplicationListener<DeclarationExceptionEvent> {

	private final Map<Object, Ledger> ledgers = new IdentityHashMap<>();

	DeclarationFailures(Collection<Broker> brokers) {
		for (Broker broker : brokers) {
			Ledger ledger = new Ledger();
			this.ledgers.put(broker.admin(), ledger);
			// Added after the admin's own listener, so this runs once the admin has declared
			// everything on the new connection: that round's refusals are all in.
			broker.connectionFactory().addConnectionListener((connection) -> ledger.roundEnded());
		}
	}

	@Override
	public void onApplicationEvent(DeclarationExceptionEvent event) {
		Ledger ledger = this.ledgers.get(event.getSource());
		Declarable declarable = event.getDeclarable();
		if (ledger != null && declarable != null) {
			ledger.refused(declarable, Failures.describe(event.getThrowable()));
		}
	}

	/**
	 * The refused declarations of a queue, of its bindings and of an exchange on one broker.
	 * @param broker the broker
	 * @param queue the queue name
	 * @param exchange the exchange name
	 * @return one line per refusal, naming what was refused and why; empty when none
	 */
	List<String> of(Broker broker, String queue, String exchange) {
		Ledger ledger = this.ledgers.get(broker.admin());
		return (ledger != null) ? ledger.concerning(queue, exchange) : List.of();
	}

	private record Refusal(Declarable declarable, String reason) {

		boolean concerns(String queue, String exchange) {
			if (this.declarable instanceof Queue q) {
				return q.getName().equals(queue);
			}
			if (this.declarable instanceof Exchange e) {
				return e.getName().equals(exchange);
			}
			return this.declarable instanceof Binding b && b.isDestinationQueue() && queue.equals(b.getDestination());
		}

		String describe() {
			if (this.declarable instanceof Queue q) {
				return "queue '" + q.getName() + "': " + this.reason;
			}
			if (this.declarable instanceof Exchange e) {
				return "exchange '" + e.getName() + "': " + this.reason;
			}
			Binding b = (Binding) this.declarable;
			return "binding of '" + b.getDestination() + "' to '" + b.getExchange() + "' with '" + b.getRoutingKey()
					+ "': " + this.reason;
		}

	}

	private static final class Ledger {

		private Map<Declarable, Refusal> pending = new LinkedHashMap<>();

		private Map<Declarable, Refusal> current = new LinkedHashMap<>();

		synchronized void refused(Declarable declarable, String reason) {
			Refusal refusal = new Refusal(declarable, reason);
			this.pending.put(declarable, refusal);
			this.current.put(declarable, refusal);
		}

		synchronized void roundEnded() {
			this.current = this.pending;
			this.pending = new LinkedHashMap<>();
		}

		synchronized List<String> concerning(String queue, String exchange) {
			List<String> lines = new ArrayList<>();
			this.current.values().stream().filter((refusal) -> refusal.concerns(queue, exchange))
				.forEach((refusal) -> lines.add(refusal.describe()));
			return lines;
		}

	}

}
