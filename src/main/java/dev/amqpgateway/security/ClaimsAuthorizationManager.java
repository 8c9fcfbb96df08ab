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
import org.springframework.security.web.server.authorization.AuthorizationContext;

/**
 * Grants a request on a protected endpoint when its token was accepted and carries one of the
 * endpoint's {@code roles} and its {@code scopes} (any or all of them, as {@code scopes_matcher}
 * says); a request without an accepted token is denied, and answered 401 for it.
 */
final class ClaimsAuthorizationManager implements ReactiveAuthorizationManager<AuthorizationContext> {

	/** Exchange attribute that holds what a denied request's token lacks. */
	static final String DENIAL = ClaimsAuthorizationManager.class.getName() + ".denial";

	private final Auth auth;

	ClaimsAuthorizationManager(Auth auth) {
		this.auth = auth;
	}

	@Override
	public Mono<AuthorizationResult> authorize(Mono<Authentication> authentication, AuthorizationContext context) {
		return authentication.filter(Authentication::isAuthenticated)
			.ofType(JwtAuthenticationToken.class)
			.map((token) -> decide(token, context))
			.defaultIfEmpty(new AuthorizationDecision(false));
	}

	private AuthorizationResult decide(JwtAuthenticationToken token, AuthorizationContext context) {
		String lacking = lacking(token);
		if (lacking != null) {
			// Spring Security's access-denied path passes on no decision; the 403 reads it from here.
			context.getExchange().getAttributes().put(DENIAL, lacking);
		}
		return new AuthorizationDecision(lacking == null);
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

}
