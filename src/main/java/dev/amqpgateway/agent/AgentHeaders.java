package dev.amqpgateway.agent;

import dev.amqpgateway.consume.Delivery;
import dev.amqpgateway.consume.DeliveryHeaders;

import org.springframework.http.HttpHeaders;

/**
 * The headers a message travels to an agent's backends with: its content type, and what the
 * broker and the publisher said of it as {@code X-Amqp-*} headers.
 */
final class AgentHeaders {

	private AgentHeaders() {
	}

	static HttpHeaders of(Delivery delivery, long deliveryCount) {
		HttpHeaders headers = new HttpHeaders();
		String contentType = DeliveryHeaders.contentType(delivery);
		if (contentType != null) {
			headers.set(HttpHeaders.CONTENT_TYPE, contentType);
		}
		DeliveryHeaders.of(delivery, deliveryCount).forEach(headers::set);
		return headers;
	}

}
