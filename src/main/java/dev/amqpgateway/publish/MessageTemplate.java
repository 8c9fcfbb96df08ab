package dev.amqpgateway.publish;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.rabbitmq.client.AMQP;
import dev.amqpgateway.config.DeliveryMode;
import dev.amqpgateway.config.PathParameters;
import dev.amqpgateway.config.Producer;
import org.jspecify.annotations.Nullable;

/**
 * Turns a request into the message a producer backend publishes: its routing key, and properties
 * taken from the path parameters the producer's keys name, the request's content type, the
 * headers the endpoint lists and the request's correlation id.
 */
final class MessageTemplate {

	/** The header that matches a returned message to its publish. */
	static final String SEQUENCE_HEADER = "x-gateway-publish-seq";

	private final Producer producer;

	private final @Nullable String routingKeyParameter;

	private final @Nullable String expirationParameter;

	private final @Nullable String replyToParameter;

	private final @Nullable String messageIdParameter;

	private final @Nullable String priorityParameter;

	MessageTemplate(Producer producer, String path) {
		this.producer = producer;
		List<String> parameters = PathParameters.of(path);
		this.routingKeyParameter = producer.staticRoutingKey() ? null
				: PathParameters.find(producer.routingKey(), parameters);
		this.expirationParameter = parameter(producer.expKey(), parameters);
		this.replyToParameter = parameter(producer.replyToKey(), parameters);
		this.messageIdParameter = parameter(producer.msgIdKey(), parameters);
		this.priorityParameter = parameter(producer.priorityKey(), parameters);
	}

	/**
	 * Whether {@code routing_key} is used as written although {@code static_routing_key} is not
	 * set, because it names no parameter of the path (KrakenD would publish with an empty key).
	 * @return true when the routing key is a literal by default
	 */
	boolean routingKeyTakenLiterally() {
		return !this.producer.staticRoutingKey() && this.routingKeyParameter == null
				&& !this.producer.routingKey().isEmpty();
	}

	String routingKey(PublishRequest request) {
		return (this.routingKeyParameter != null) ? value(request, this.routingKeyParameter)
				: this.producer.routingKey();
	}

	String messageId(PublishRequest request) {
		return (this.messageIdParameter != null) ? value(request, this.messageIdParameter)
				: UUID.randomUUID().toString();
	}

	/**
	 * The message's properties.
	 * @param request the request
	 * @param messageId the id chosen for it
	 * @param sequence its publish sequence number on the channel
	 * @return the properties
	 * @throws InvalidPublishRequestException when a parameter's value cannot be the property it names
	 */
	AMQP.BasicProperties properties(PublishRequest request, String messageId, long sequence) {
		Map<String, Object> headers = new LinkedHashMap<>(request.headers());
		headers.put(SEQUENCE_HEADER, sequence);
		AMQP.BasicProperties.Builder properties = new AMQP.BasicProperties.Builder().headers(headers)
			.messageId(messageId)
			.timestamp(new Date())
			.deliveryMode((this.producer.deliveryMode() == DeliveryMode.PERSISTENT) ? 2 : 1)
			.contentType(request.contentType())
			.correlationId(request.correlationId());
		if (this.expirationParameter != null) {
			properties.expiration(expiration(value(request, this.expirationParameter)));
		}
		if (this.replyToParameter != null) {
			properties.replyTo(value(request, this.replyToParameter));
		}
		if (this.priorityParameter != null) {
			properties.priority(priority(value(request, this.priorityParameter)));
		}
		return properties.build();
	}

	// The broker closes the channel on an expiration that is not a number of milliseconds.
	private static String expiration(String value) {
		if (!value.matches("[0-9]{1,10}")) {
			throw new InvalidPublishRequestException(
					"The expiration must be a number of milliseconds, such as 60000; got '" + value + "'.");
		}
		return value;
	}

	private static int priority(String value) {
		if (value.matches("[0-9]{1,3}") && Integer.parseInt(value) <= 255) {
			return Integer.parseInt(value);
		}
		throw new InvalidPublishRequestException("The priority must be a number from 0 to 255; got '" + value + "'.");
	}

	private static String value(PublishRequest request, String parameter) {
		String value = request.parameters().get(parameter);
		return (value != null) ? value : "";
	}

	private static @Nullable String parameter(String key, List<String> parameters) {
		return key.isEmpty() ? null : PathParameters.find(key, parameters);
	}

}
