package dev.amqpgateway.http.problem;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * Receipts presented to an instance that did not issue them: 421, naming the instance that holds
 * their leases, and nothing changed.
 */
public class MisdirectedReceiptException extends ErrorResponseException {

	/**
	 * Create the problem.
	 * @param owner the instance the receipts belong to
	 * @param self this instance
	 */
	public MisdirectedReceiptException(String owner, String self) {
		super(HttpStatus.MISDIRECTED_REQUEST, problem(owner, self), null);
		getHeaders().set("X-Gateway-Instance-Owner", owner);
	}

	private static ProblemDetail problem(String owner, String self) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.MISDIRECTED_REQUEST,
				"These receipts belong to gateway instance '" + owner + "', not '" + self
						+ "': send them to the instance that issued them (its X-Gateway-Instance header); nothing was changed");
		problem.setType(ProblemTypes.MISDIRECTED_RECEIPT);
		problem.setTitle("Receipt of another instance");
		problem.setProperty("owner", owner);
		return problem;
	}

}
