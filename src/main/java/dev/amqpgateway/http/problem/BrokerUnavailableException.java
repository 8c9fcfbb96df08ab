package dev.amqpgateway.http.problem;

import java.time.Duration;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * No backend of an endpoint can reach its broker: 503 with {@code Retry-After}.
 */
public class BrokerUnavailableException extends ErrorResponseException {

	/**
	 * Create the problem.
	 * @param detail what is unreachable and why, without credentials
	 * @param retryAfter when a retry has a chance, at least a second
	 */
	public BrokerUnavailableException(String detail, Duration retryAfter) {
		super(HttpStatus.SERVICE_UNAVAILABLE, problem(detail), null);
		getHeaders().set("Retry-After", String.valueOf(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
	}

	private static ProblemDetail problem(String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
		problem.setType(ProblemTypes.BROKER_UNAVAILABLE);
		problem.setTitle("Broker unavailable");
		return problem;
	}

}
