package dev.amqpgateway.security;

import java.util.List;
import java.util.Locale;

import dev.amqpgateway.config.Auth;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;

/**
 * Grants a request on a protected endpoint when its token was accepted and carries one of the
 * endpoint's {@code roles} and its {@code scopes} (any or all of them, as {@code scopes_matcher}
 * says), read from the token's claims as they are: no granted authorities are built from them. A
 * denial says what the token lacks; a request without an accepted token is denied.
 */
final class ClaimsAuthorizationManager implements ReactiveAuthorizationManager<ServerWebExchange> {

	private static final ClaimsDecision UNAUTHENTICATED = new ClaimsDecision("The request carries no accepted token.");

	private final Auth auth;

	ClaimsAuthorizationManager(Auth auth) {
		this.auth = auth;
	}

	@Override
	public Mono<AuthorizationResult> authorize(Mono<Authentication> authentication, ServerWebExchange exchange) {
		return authentication.map(this::decide).defaultIfEmpty(UNAUTHENTICATED);
	}

	private AuthorizationResult decide(Authentication authentication) {
		if (!(authentication instanceof JwtAuthenticationToken token) || !token.isAuthenticated()) {
			return UNAUTHENTICATED;
		}
		String lacking = lacking(token);
		return (lacking != null) ? new ClaimsDecision(lacking) : ClaimsDecision.GRANTED;
	}

	private @Nullable String lacking(JwtAuthenticationToken token) {
		var claims = token.getToken().getClaims();
		List<String> roles = this.auth.roles();
		if (!roles.isEmpty() && Claims.values(claims, this.auth.rolesKey()).stream().noneMatch(roles::contains)) {
			return "The token carries none of the roles the endpoint asks for (claim "
					+ this.auth.rolesKey() + ").";
		}
		List<String> scopes = this.auth.scopes();
		if (!scopes.isEmpty()) {
			List<String> carried = Claims.values(claims, this.auth.scopesKey());
			boolean granted = (this.auth.scopesMatcher() == Auth.ScopesMatcher.ALL) ? carried.containsAll(scopes)
					: scopes.stream().anyMatch(carried::contains);
			if (!granted) {
				return "The token lacks the scopes the endpoint asks for (claim " + this.auth.scopesKey()
						+ ", " + this.auth.scopesMatcher().name().toLowerCase(Locale.ROOT) + " of them).";
			}
		}
		return null;
	}

	/**
	 * A decision that says, when it denies, what the token lacks.
	 */
	static final class ClaimsDecision extends AuthorizationDecision {

		static final ClaimsDecision GRANTED = new ClaimsDecision(null);

		private final @Nullable String lacking;

		private ClaimsDecision(@Nullable String lacking) {
			super(lacking == null);
			this.lacking = lacking;
		}

		/**
		 * What the token lacks.
		 * @return the reason of a denial, for the 403's detail; {@code null} when granted
		 */
		@Nullable String lacking() {
			return this.lacking;
		}

	}

}
