package dev.amqpgateway.security;

import java.util.List;

import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;

/**
 * An endpoint with {@code auth}: the paths it protects, how a token is checked on them, and what
 * the token must carry.
 *
 * @param paths the endpoint's path and its settlement routes
 * @param decoder decodes the token and checks its signature, expiry, issuer and audience
 * @param authorization checks the token's roles and scopes
 */
record ProtectedEndpoint(List<PathPattern> paths, ReactiveJwtDecoder decoder,
		ClaimsAuthorizationManager authorization) {

	boolean matches(ServerWebExchange exchange) {
		return EndpointPaths.matches(this.paths, exchange);
	}

}
