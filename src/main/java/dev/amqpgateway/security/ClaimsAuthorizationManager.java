package dev.amqpgateway.security;

import java.util.List;

import dev.amqpgateway.config.Auth;
import reactor.core.publisher.Mono;

import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.server.authorization.AuthorizationContext;

/**
 * Grants a request on a protected endpoint when its token was accepted and carries one of the
 * endpoint's {@code roles} and its {@code scopes} (any or all of them, as {@code scopes_matcher}
 * says); a request without an accepted token is denied, and answered 401 for it.
 */
final class ClaimsAuthorizationManager implements ReactiveAuthorizationManager<AuthorizationContext> {

	private final Auth auth;

	ClaimsAuthorizationManager(Auth auth) {
		this.auth = auth;
	}

	@Override
	public Mono<AuthorizationResult> authorize(Mono<Authentication> authentication, AuthorizationContext context) {
		return authentication.filter(Authentication::isAuthenticated)
			.ofType(JwtAuthenticationToken.class)
			.map(this::decide)
			.defaultIfEmpty(new Denial(null));
	}

	private AuthorizationResult decide(JwtAuthenticationToken token) {
		var claims = token.getToken().getClaims();
		List<String> roles = this.auth.roles();
		if (!roles.isEmpty() && Claims.values(claims, this.auth.rolesKey()).stream().noneMatch(roles::contains)) {
			return new Denial("The token carries none of the roles the endpoint asks for (claim "
					+ this.auth.rolesKey() + ").");
		}
		List<String> scopes = this.auth.scopes();
		if (!scopes.isEmpty()) {
			List<String> carried = Claims.values(claims, this.auth.scopesKey());
			boolean granted = (this.auth.scopesMatcher() == Auth.ScopesMatcher.ALL) ? carried.containsAll(scopes)
					: scopes.stream().anyMatch(carried::contains);
			if (!granted) {
				return new Denial("The token lacks the scopes the endpoint asks for (claim " + this.auth.scopesKey()
						+ ", " + this.auth.scopesMatcher().name().toLowerCase(java.util.Locale.ROOT) + " of them).");
			}
		}
		return new AuthorizationDecision(true);
	}

	/**
	 * A request denied, with what its token lacks; none when it has no accepted token.
	 * @param reason what the token lacks, or null
	 */
	static final class Denial extends AuthorizationDecision {

		private final @org.jspecify.annotations.Nullable String reason;

		Denial(@org.jspecify.annotations.Nullable String reason) {
			super(false);
			this.reason = reason;
		}

		@org.jspecify.annotations.Nullable String reason() {
			return this.reason;
		}

	}

}
