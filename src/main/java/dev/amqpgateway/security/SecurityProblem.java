package dev.amqpgateway.security;

import java.net.URI;
import java.time.Duration;

import dev.amqpgateway.http.problem.ProblemTypes;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request refused before its endpoint's handler runs: 400, 401, 403 or 429. The filters return it as
 * an error, so that the gateway's problem handler writes it like every other failed request.
 */
final class SecurityProblem extends ErrorResponseException {

	private SecurityProblem(HttpStatus status, URI type, String title, String detail) {
		super(status, problem(status, type, title, detail), null);
	}

	/**
	 * No token, or one that is refused: 401 with the {@code WWW-Authenticate} challenge of RFC 6750.
	 * @param detail why, without the token
	 * @param challenge the challenge, such as {@code Bearer error="invalid_token"}
	 * @return the problem
	 */
	static SecurityProblem unauthorized(String detail, String challenge) {
		SecurityProblem problem = new SecurityProblem(HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED, "Unauthorized",
				detail);
		problem.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
		return problem;
	}

	/**
	 * Bearer credentials that are not one token, such as two {@code Authorization} headers: 400,
	 * {@code invalid_request} in RFC 6750's terms.
	 * @param detail why, without the token
	 * @param challenge the challenge, such as {@code Bearer error="invalid_request"}
	 * @return the problem
	 */
	static SecurityProblem badRequest(String detail, String challenge) {
		SecurityProblem problem = new SecurityProblem(HttpStatus.BAD_REQUEST, ProblemTypes.BAD_REQUEST, "Bad request",
				detail);
		problem.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
		return problem;
	}

	/**
	 * A valid token that lacks what the endpoint asks for: 403.
	 * @param detail which kind of claim is missing
	 * @return the problem
	 */
	static SecurityProblem forbidden(String detail) {
		SecurityProblem problem = new SecurityProblem(HttpStatus.FORBIDDEN, ProblemTypes.FORBIDDEN, "Forbidden", detail);
		problem.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\"");
		return problem;
	}

	/**
	 * A rate limit used up: 429 with {@code Retry-After}.
	 * @param detail which limit
	 * @param retryAfter when a permit is free again; rounded up to whole seconds, at least one
	 * @return the problem
	 */
	static SecurityProblem tooManyRequests(String detail, Duration retryAfter) {
		SecurityProblem problem = new SecurityProblem(HttpStatus.TOO_MANY_REQUESTS, ProblemTypes.TOO_MANY_REQUESTS,
				"Too many requests", detail);
		problem.getHeaders().set(HttpHeaders.RETRY_AFTER,
				String.valueOf(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
		return problem;
	}

	private static ProblemDetail problem(HttpStatus status, URI type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(type);
		problem.setTitle(title);
		return problem;
	}

}
