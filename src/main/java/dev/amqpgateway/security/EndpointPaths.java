package dev.amqpgateway.security;

import java.util.ArrayList;
import java.util.List;

import dev.amqpgateway.config.Endpoint;

import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The request paths an endpoint answers, matched as its routes match them: with the parser that
 * {@code RequestPredicates.path} uses, so that {@code {name}} parameters match here exactly where
 * the route does.
 */
final class EndpointPaths {

	/** The routes on which a lease endpoint's client settles what it took; protected like the endpoint. */
	private static final List<String> SETTLEMENT_ROUTES = List.of("ack", "nack", "extend");

	private EndpointPaths() {
	}

	/**
	 * The endpoint's own path.
	 * @param endpoint the endpoint
	 * @return its path as a pattern
	 */
	static PathPattern of(Endpoint endpoint) {
		return PathPatternParser.defaultInstance.parse(endpoint.endpoint());
	}

	/**
	 * The endpoint's path and the routes that settle what a request on it took.
	 * @param endpoint the endpoint
	 * @return the patterns a request must match to be protected like the endpoint
	 */
	static List<PathPattern> withSettlementRoutes(Endpoint endpoint) {
		List<PathPattern> patterns = new ArrayList<>();
		patterns.add(of(endpoint));
		// under the endpoint's path as the routes put them: /orders/ack, and /ack for the endpoint /
		String base = endpoint.endpoint().endsWith("/") ? endpoint.endpoint() : endpoint.endpoint() + "/";
		for (String route : SETTLEMENT_ROUTES) {
			patterns.add(PathPatternParser.defaultInstance.parse(base + route));
		}
		return patterns;
	}

	/**
	 * Whether a request's path matches one of the patterns.
	 * @param patterns the patterns
	 * @param exchange the request
	 * @return true when one matches
	 */
	static boolean matches(List<PathPattern> patterns, ServerWebExchange exchange) {
		var path = exchange.getRequest().getPath().pathWithinApplication();
		for (PathPattern pattern : patterns) {
			if (pattern.matches(path)) {
				return true;
			}
		}
		return false;
	}

}
