package dev.amqpgateway.security;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.util.StringUtils;

/**
 * Turns the refusals of the token check into the gateway's problem answers, with the status and
 * {@code WWW-Authenticate} challenge Spring Security's {@code BearerTokenServerAuthenticationEntryPoint}
 * gives them (RFC 6750 §3): no token → 401 {@code Bearer}; a refused token → 401
 * {@code error="invalid_token"}; a malformed request → the status of its {@link BearerTokenError}
 * (400 {@code error="invalid_request"}); a token that could not be checked (the key set
 * unreachable, which its key source logs) → 401 as well, never a 500; a token without the roles or
 * scopes asked for → 403 {@code error="insufficient_scope"}. That entry point writes an empty body;
 * these are problem answers, written by the gateway's problem handler like every other.
 */
final class ProblemAnswers {

	private static final Log logger = LogFactory.getLog(ProblemAnswers.class);

	private ProblemAnswers() {
	}

	/**
	 * A request without bearer credentials.
	 * @return 401 with the plain {@code Bearer} challenge
	 */
	static SecurityProblem noToken() {
		return SecurityProblem.unauthorized(
				"This endpoint needs a bearer token: send Authorization: Bearer <token>.", "Bearer");
	}

	/**
	 * A request whose token was refused or could not be checked.
	 * @param failure why, as Spring Security's resource server says it
	 * @return 401, or 400 for a malformed request
	 */
	static SecurityProblem refused(AuthenticationException failure) {
		if (failure instanceof AuthenticationServiceException) {
			// The key source logs when its set becomes unreachable and when it is back: not every request.
			if (logger.isDebugEnabled()) {
				logger.debug("A bearer token could not be checked: " + causeOf(failure));
			}
			return SecurityProblem.unauthorized("The bearer token could not be checked now; try again later.",
					"Bearer error=\"invalid_token\", error_description=\"The token could not be checked now\"");
		}
		if (failure instanceof OAuth2AuthenticationException oauth2) {
			OAuth2Error error = oauth2.getError();
			String reason = StringUtils.hasText(error.getDescription()) ? error.getDescription()
					: (failure.getMessage() != null) ? failure.getMessage() : "it is not valid";
			String challenge = "Bearer error=\"" + error.getErrorCode() + "\", error_description=\"" + quoted(reason)
					+ "\"";
			HttpStatus status = (error instanceof BearerTokenError bearer) ? bearer.getHttpStatus()
					: HttpStatus.UNAUTHORIZED;
			return (status == HttpStatus.BAD_REQUEST)
					? SecurityProblem.badRequest("The request's bearer token is refused: " + reason, challenge)
					: SecurityProblem.unauthorized("The bearer token is refused: " + reason, challenge);
		}
		return noToken();
	}

	/**
	 * A valid token without the roles or scopes asked for.
	 * @param decision the denial; a {@link ClaimsAuthorizationManager.ClaimsDecision} says what is lacking
	 * @return 403
	 */
	static SecurityProblem forbidden(AuthorizationResult decision) {
		String lacking = (decision instanceof ClaimsAuthorizationManager.ClaimsDecision claims) ? claims.lacking()
				: null;
		return SecurityProblem.forbidden((lacking != null) ? lacking : "The token does not grant access to this endpoint.");
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
