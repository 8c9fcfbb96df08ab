package dev.amqpgateway.config;

import java.util.List;
import java.util.Map;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code backend/amqp/consumer} settings: which queue to declare and drain, and how.
 *
 * @param name name of the queue to declare and drain
 * @param exchange name of the exchange to declare and bind the queue to
 * @param exchangeType type of the exchange
 * @param routingKey routing keys, one binding each
 * @param durable whether the exchange and the queue survive a broker restart
 * @param delete whether the exchange and the queue are deleted when no longer used
 * @param exclusive whether the queue is exclusive to the gateway's connection
 * @param noWait accepted for compatibility with KrakenD; declarations always wait for the broker's reply, so that a refused one can be reported
 * @param noLocal accepted for compatibility; RabbitMQ ignores it
 * @param prefetchCount most unacknowledged messages the backend holds at once; 0 for the gateway's limit
 * @param autoAck whether the broker forgets a message as soon as it hands it over
 * @param nackDiscard whether a message that cannot be decoded is rejected without requeue at once
 * @param maxRetries reconnect attempts before a cycle gives up; 0 to keep trying
 * @param backoffStrategy how long to wait before each reconnect attempt
 * @param queueArguments arguments of queue.declare, such as {@code x-queue-type: quorum}
 * @param declare whether to declare the exchange, queue and bindings; when false the queue must exist
 */
public record Consumer(
		@NotBlank(message = "is required: the queue to declare and drain") String name,
		@NotBlank(message = "is required: the exchange to bind the queue to") String exchange,
		@DefaultValue("topic") ExchangeType exchangeType,
		@NotEmpty(message = "needs at least one routing key, such as [\"#\"]") List<String> routingKey,
		@DefaultValue("false") boolean durable,
		@DefaultValue("false") boolean delete,
		@DefaultValue("false") boolean exclusive,
		@DefaultValue("false") boolean noWait,
		@DefaultValue("false") boolean noLocal,
		@DefaultValue("0") @PositiveOrZero @Max(65535) int prefetchCount,
		@DefaultValue("false") boolean autoAck,
		@DefaultValue("false") boolean nackDiscard,
		@DefaultValue("0") @PositiveOrZero int maxRetries,
		@DefaultValue("fallback") BackoffStrategy backoffStrategy,
		@DefaultValue Map<String, Object> queueArguments,
		@DefaultValue("true") boolean declare) {
}
