package dev.amqpgateway.consume;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import org.jspecify.annotations.Nullable;

import org.springframework.util.InvalidMimeTypeException;
import org.springframework.util.MimeTypeUtils;

/**
 * What the broker and the publisher said of a message, as HTTP headers named {@code X-Amqp-*}: the
 * way a message's properties travel with its raw body, to a client or to an agent's backend.
 * A value an HTTP header cannot carry (a line break, a control character) is left out.
 */
public final class DeliveryHeaders {

	private DeliveryHeaders() {
	}

	/**
	 * The headers of a delivery.
	 * @param delivery the delivery
	 * @param deliveryCount its delivery count, from {@link ConsumerBackend#deliveryCount}
	 * @return header names and values, in a stable order
	 */
	public static Map<String, String> of(Delivery delivery, long deliveryCount) {
		AMQP.BasicProperties properties = delivery.properties();
		Map<String, String> headers = new LinkedHashMap<>();
		put(headers, "X-Amqp-Message-Id", properties.getMessageId());
		put(headers, "X-Amqp-Correlation-Id", properties.getCorrelationId());
		put(headers, "X-Amqp-Exchange", delivery.exchange());
		put(headers, "X-Amqp-Routing-Key", delivery.routingKey());
		put(headers, "X-Amqp-Redelivered", String.valueOf(delivery.redelivered()));
		put(headers, "X-Amqp-Delivery-Count", String.valueOf(deliveryCount));
		Date timestamp = properties.getTimestamp();
		put(headers, "X-Amqp-Timestamp", (timestamp != null) ? timestamp.toInstant().toString() : null);
		put(headers, "X-Amqp-Type", properties.getType());
		put(headers, "X-Amqp-App-Id", properties.getAppId());
		put(headers, "X-Amqp-User-Id", properties.getUserId());
		put(headers, "X-Amqp-Reply-To", properties.getReplyTo());
		put(headers, "X-Amqp-Expiration", properties.getExpiration());
		put(headers, "X-Amqp-Priority", (properties.getPriority() != null) ? properties.getPriority().toString() : null);
		put(headers, "X-Amqp-Content-Encoding", properties.getContentEncoding());
		return headers;
	}

	/**
	 * The message's content type when it is a valid media type.
	 * @param delivery the delivery
	 * @return the content type, or null when it has none or it cannot be read
	 */
	public static @Nullable String contentType(Delivery delivery) {
		String contentType = delivery.contentType();
		if (contentType == null) {
			return null;
		}
		try {
			return MimeTypeUtils.parseMimeType(contentType).toString();
		}
		catch (InvalidMimeTypeException ex) {
			return null;
		}
	}

	private static void put(Map<String, String> headers, String name, @Nullable String value) {
		if (value != null && !value.isEmpty() && value.chars().allMatch((c) -> c >= 0x20 && c != 0x7f)) {
			headers.put(name, value);
		}
	}

}
