package dev.amqpgateway.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code backend/amqp/producer} settings: which exchange a request's body is published to,
 * and how.
 *
 * @param exchange name of the exchange to declare and publish to
 * @param exchangeType type of the exchange
 * @param name used in messages only, as in KrakenD; no queue is declared for it
 * @param routingKey the name of a path parameter whose value is the routing key, or, with
 * {@code static_routing_key} or when it names no parameter, the routing key itself
 * @param staticRoutingKey whether {@code routing_key} is used as written
 * @param durable whether the exchange survives a broker restart
 * @param delete whether the exchange is deleted when no queue is bound to it any more
 * @param exclusive accepted for compatibility with KrakenD and ignored, with a warning: it means nothing for an exchange
 * @param noWait accepted for compatibility with KrakenD; declarations always wait for the broker's reply
 * @param noLocal accepted for compatibility with KrakenD's example; it means nothing for a publisher
 * @param mandatory whether a message no queue receives is answered as an error rather than dropped
 * @param immediate refused: RabbitMQ closes the connection on it
 * @param expKey the path parameter whose value becomes the message's expiration, in milliseconds
 * @param replyToKey the path parameter whose value becomes the message's reply-to
 * @param msgIdKey the path parameter whose value becomes the message id; a random UUID without it
 * @param priorityKey the path parameter whose value becomes the message's priority, 0 to 255
 * @param deliveryMode whether messages are written to disk by the broker
 * @param maxRetries reconnect attempts before a cycle gives up; 0 to keep trying
 * @param backoffStrategy how long to wait before each reconnect attempt
 */
public record Producer(
		@NotBlank(message = "is required: the exchange to publish to") String exchange,
		@DefaultValue("topic") ExchangeType exchangeType,
		@DefaultValue("") String name,
		@DefaultValue("") String routingKey,
		@DefaultValue("false") boolean staticRoutingKey,
		@DefaultValue("false") boolean durable,
		@DefaultValue("false") boolean delete,
		@DefaultValue("false") boolean exclusive,
		@DefaultValue("false") boolean noWait,
		@DefaultValue("false") boolean noLocal,
		@DefaultValue("true") boolean mandatory,
		@DefaultValue("false") boolean immediate,
		@DefaultValue("") String expKey,
		@DefaultValue("") String replyToKey,
		@DefaultValue("") String msgIdKey,
		@DefaultValue("") String priorityKey,
		@DefaultValue("persistent") DeliveryMode deliveryMode,
		@DefaultValue("0") @PositiveOrZero int maxRetries,
		@DefaultValue("fallback") BackoffStrategy backoffStrategy) {
}
