package dev.amqpgateway.security;

import java.util.List;

import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;

/**
 * An endpoint with {@code auth}: the paths it protects, how a token is checked on them, and what
 * the token must carry.
 *
 * @param paths the endpoint's path and its settlement routes
 * @param authentication checks the token: signature, expiry, issuer, audience
 * @param authorization checks the token's roles and scopes
 */
record ProtectedEndpoint(List<PathPattern> paths, ReactiveAuthenticationManager authentication,
		ClaimsAuthorizationManager authorization) {

	boolean matches(ServerWebExchange exchange) {
		return EndpointPaths.matches(this.paths, exchange);
	}

}
