package dev.amqpgateway.http.problem;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A publish that did not end with every backend's confirm: 502 when the broker refused or returned
 * the message, 504 when no confirm came in time; with each backend's outcome when there are several.
 */
public class PublishProblem extends ErrorResponseException {

	/**
	 * Create the problem.
	 * @param status 502 or 504
	 * @param type one of the publish problem types
	 * @param title a short title
	 * @param detail what happened, and whether the message may have been published
	 * @param outcomes each backend's outcome, in configuration order
	 */
	public PublishProblem(HttpStatus status, URI type, String title, String detail, List<Map<String, Object>> outcomes) {
		super(status, problem(status, type, title, detail, outcomes), null);
	}

	private static ProblemDetail problem(HttpStatus status, URI type, String title, String detail,
			List<Map<String, Object>> outcomes) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(type);
		problem.setTitle(title);
		if (outcomes.size() > 1) {
			problem.setProperty("backends", outcomes);
		}
		return problem;
	}

}
