package dev.amqpgateway.http.problem;

import java.time.Duration;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A lease endpoint's backend has {@code max_leases} messages on lease: 429 with {@code Retry-After},
 * and nothing taken.
 */
public class TooManyLeasesException extends ErrorResponseException {

	/**
	 * Create the problem.
	 * @param detail which backend and how many leases
	 * @param retryAfter when a lease may have ended, at least a second
	 */
	public TooManyLeasesException(String detail, Duration retryAfter) {
		super(HttpStatus.TOO_MANY_REQUESTS, problem(detail), null);
		getHeaders().set("Retry-After", String.valueOf(Math.max(1, retryAfter.toSeconds())));
	}

	private static ProblemDetail problem(String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, detail);
		problem.setType(ProblemTypes.TOO_MANY_LEASES);
		problem.setTitle("Too many leases");
		return problem;
	}

}
