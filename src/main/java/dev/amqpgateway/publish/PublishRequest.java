package dev.amqpgateway.publish;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What an HTTP request gives a producer backend to publish.
 *
 * @param body the request body, published as it is
 * @param contentType the request's content type, if it sent one
 * @param parameters the values of the endpoint path's parameters, by name as in the path
 * @param headers the request headers the endpoint copies into the message, by name
 * @param correlationId the request's {@code X-Correlation-Id}, if it sent one
 */
public record PublishRequest(byte[] body, @Nullable String contentType, Map<String, String> parameters,
		Map<String, String> headers, @Nullable String correlationId) {
}
