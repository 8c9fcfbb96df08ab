package dev.amqpgateway.http.problem;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The message taken from the queue could not be decoded: 502.
 */
public class UndecodableMessageException extends ErrorResponseException {

	/**
	 * Create the problem.
	 * @param detail which queue, why, and what happened to the message
	 */
	public UndecodableMessageException(String detail) {
		super(HttpStatus.BAD_GATEWAY, problem(detail), null);
	}

	private static ProblemDetail problem(String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, detail);
		problem.setType(ProblemTypes.UNDECODABLE_MESSAGE);
		problem.setTitle("Undecodable message");
		return problem;
	}

}
