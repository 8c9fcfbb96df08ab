package dev.amqpgateway.security;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.web.server.ServerWebExchange;

/**
 * The endpoints with {@code auth}, in configuration order.
 *
 * @param endpoints each with its paths and checks
 */
record ProtectedEndpoints(List<ProtectedEndpoint> endpoints) {

	/**
	 * The endpoint a request is for, if it is protected.
	 * @param exchange the request
	 * @return the first protected endpoint whose paths match it, or {@code null}
	 */
	@Nullable ProtectedEndpoint of(ServerWebExchange exchange) {
		for (ProtectedEndpoint endpoint : this.endpoints) {
			if (endpoint.matches(exchange)) {
				return endpoint;
			}
		}
		return null;
	}

	boolean isEmpty() {
		return this.endpoints.isEmpty();
	}

}
