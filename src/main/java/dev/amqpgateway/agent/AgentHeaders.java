package dev.amqpgateway.agent;

import dev.amqpgateway.consume.Delivery;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * The headers a message travels to an agent's backends with: its content type, and what the
 * broker and the publisher said of it as {@code X-Amqp-*} headers.
 */
final class AgentHeaders {

	static final String MESSAGE_ID = "X-Amqp-Message-Id";

	static final String CORRELATION_ID = "X-Amqp-Correlation-Id";

	static final String EXCHANGE = "X-Amqp-Exchange";

	static final String ROUTING_KEY = "X-Amqp-Routing-Key";

	static final String REDELIVERED = "X-Amqp-Redelivered";

	static final String DELIVERY_COUNT = "X-Amqp-Delivery-Count";

	private AgentHeaders() {
	}

	static HttpHeaders of(Delivery delivery, long deliveryCount) {
		HttpHeaders headers = new HttpHeaders();
		set(headers, HttpHeaders.CONTENT_TYPE, mediaType(delivery.contentType()));
		set(headers, MESSAGE_ID, delivery.messageId());
		set(headers, CORRELATION_ID, delivery.correlationId());
		set(headers, EXCHANGE, delivery.exchange());
		set(headers, ROUTING_KEY, delivery.routingKey());
		headers.set(REDELIVERED, String.valueOf(delivery.redelivered()));
		headers.set(DELIVERY_COUNT, String.valueOf(deliveryCount));
		return headers;
	}

	private static @Nullable String mediaType(@Nullable String contentType) {
		if (contentType == null) {
			return null;
		}
		try {
			return MediaType.parseMediaType(contentType).toString();
		}
		catch (InvalidMediaTypeException ex) {
			return null;
		}
	}

	// A value a header cannot carry (a line break, a control character) is left out, not sent broken.
	private static void set(HttpHeaders headers, String name, @Nullable String value) {
		if (value != null && !value.isEmpty() && value.chars().allMatch((c) -> c >= 0x20 && c != 0x7f)) {
			headers.set(name, value);
		}
	}

}
