package dev.amqpgateway.security;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.WebFilterExchange;
import org.springframework.security.web.server.authentication.ServerAuthenticationFailureHandler;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;

/**
 * Turns Spring Security's refusals into the gateway's problem answers: no token → 401 with
 * {@code WWW-Authenticate: Bearer}; a refused token → 401 with {@code error="invalid_token"}; a
 * token that could not be checked (the key set unreachable) → 401 as well, logged, and never a 500;
 * a token without the roles or scopes asked for → 403. Each is returned as an error, for the
 * problem handler to write.
 */
final class ProblemAnswers
		implements ServerAuthenticationEntryPoint, ServerAuthenticationFailureHandler, ServerAccessDeniedHandler {

	private static final Log logger = LogFactory.getLog(ProblemAnswers.class);

	@Override
	public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException failure) {
		return Mono.error(unauthorized(exchange, failure));
	}

	@Override
	public Mono<Void> onAuthenticationFailure(WebFilterExchange exchange, AuthenticationException failure) {
		return Mono.error(unauthorized(exchange.getExchange(), failure));
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
		String reason = exchange.getAttribute(ClaimsAuthorizationManager.DENIAL);
		return Mono.error(SecurityProblem
			.forbidden((reason != null) ? reason : "The token does not grant access to this endpoint."));
	}

	private static SecurityProblem unauthorized(ServerWebExchange exchange, AuthenticationException failure) {
		if (failure instanceof AuthenticationServiceException) {
			logger.warn("A bearer token on " + exchange.getRequest().getPath().value()
					+ " could not be checked: " + causeOf(failure));
			return SecurityProblem.unauthorized("The bearer token could not be checked now; try again later.",
					"Bearer error=\"invalid_token\", error_description=\"The token could not be checked now\"");
		}
		if (failure instanceof OAuth2AuthenticationException) {
			String reason = (failure.getMessage() != null) ? failure.getMessage() : "it is not valid";
			return SecurityProblem.unauthorized("The bearer token is refused: " + reason,
					"Bearer error=\"invalid_token\", error_description=\"" + quoted(reason) + "\"");
		}
		return SecurityProblem.unauthorized("This endpoint needs a bearer token: send Authorization: Bearer <token>.",
				"Bearer");
	}

	private static String causeOf(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause.getClass().getSimpleName() + ": " + cause.getMessage();
	}

	// RFC 6750's error_description allows printable ASCII other than '"' and '\'.
	private static String quoted(String text) {
		return text.replaceAll("[^\\x20-\\x7E]|[\"\\\\]", "'");
	}

}
