package dev.amqpgateway.security;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The token check of the endpoints with {@code auth}, as one web filter: it finds the protected
 * endpoint a request is for, reads its bearer token ({@link BearerTokens}), has the endpoint's
 * decoder (Spring Security's {@code NimbusReactiveJwtDecoder} on the key source's kept set,
 * {@link VerifiedTokens}, the endpoint's issuer and audience validators) decode and validate it,
 * and the endpoint's {@link ClaimsAuthorizationManager} decide on its claims; a refusal is a
 * problem answer ({@link ProblemAnswers}) before any handler runs. Requests for other endpoints
 * pass untouched.
 *
 * <p>The same pieces once ran in a {@code SecurityWebFilterChain} of Spring Security, whose
 * {@code WebFilterChainProxy} and the filters a chain brings ({@code ServerWebExchangeReactorContextWebFilter},
 * {@code AuthenticationWebFilter}, {@code ExceptionTranslationWebFilter}, {@code AuthorizationWebFilter},
 * an observation around each, the security context in the Reactor context, the strict firewall's
 * exchange wrapper) took about 110 µs of CPU per request on the bench machine, with the token's
 * signature already remembered: twice the drain's own 58 µs, and 56 % of its rate. This filter
 * checks the same for about 5 µs (12.9 % of the rate). For the same reason it calls the decoder
 * itself, mapping its failures as Spring Security's {@code JwtReactiveAuthenticationManager} does,
 * instead of going through that manager's chain of operators; nothing downstream reads a security
 * context, so none is set.
 */
final class BearerTokenWebFilter implements WebFilter {

	private final ProtectedEndpoints endpoints;

	BearerTokenWebFilter(ProtectedEndpoints endpoints) {
		this.endpoints = endpoints;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ProtectedEndpoint endpoint = this.endpoints.of(exchange);
		if (endpoint == null) {
			return chain.filter(exchange);
		}
		String token;
		try {
			token = BearerTokens.resolve(exchange.getRequest().getHeaders());
		}
		catch (OAuth2AuthenticationException ex) {
			return Mono.error(ProblemAnswers.refused(ex));
		}
		if (token == null) {
			return Mono.error(ProblemAnswers.noToken());
		}
		return endpoint.decoder()
			.decode(token)
			.onErrorMap(JwtException.class, (ex) -> ProblemAnswers.refused(failure(ex)))
			.switchIfEmpty(Mono.error(ProblemAnswers::noToken))
			.flatMap((jwt) -> endpoint.authorization()
				.authorize(Mono.just(new JwtAuthenticationToken(jwt, List.of())), exchange))
			.flatMap((decision) -> decision.isGranted() ? chain.filter(exchange)
					: Mono.error(ProblemAnswers.forbidden(decision)));
	}

	/** As {@code JwtReactiveAuthenticationManager} maps a decoder's failure. */
	private static AuthenticationException failure(JwtException ex) {
		return (ex instanceof BadJwtException) ? new InvalidBearerTokenException(ex.getMessage(), ex)
				: new AuthenticationServiceException(ex.getMessage(), ex);
	}

}
