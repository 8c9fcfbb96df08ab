package dev.amqpgateway.agent;

import org.jspecify.annotations.Nullable;

/**
 * What one HTTP backend made of one message.
 *
 * @param outcome how the call ended
 * @param status the HTTP status, when the backend answered
 * @param error what went wrong, for logs and health; null when the backend accepted the message
 */
record Attempt(Outcome outcome, int status, @Nullable String error) {

	static Attempt answered(int status) {
		return new Attempt((status >= 200 && status < 300) ? Outcome.ACCEPTED : Outcome.REFUSED, status,
				(status >= 200 && status < 300) ? null : "answered " + status);
	}

	static Attempt timedOut(String timeout) {
		return new Attempt(Outcome.TIMED_OUT, 0, "no answer within " + timeout);
	}

	static Attempt unreachable(String reason) {
		return new Attempt(Outcome.UNREACHABLE, 0, "cannot be reached: " + reason);
	}

	static Attempt failed(String reason) {
		return new Attempt(Outcome.FAILED, 0, reason);
	}

	/**
	 * How a call to a backend ended.
	 */
	enum Outcome {

		/** A 2xx answer: the backend has the message. */
		ACCEPTED,

		/** Any other answer: the backend refused the message. */
		REFUSED,

		/** No answer within the agent's timeout. */
		TIMED_OUT,

		/** The call failed after the connection was made (reset, closed before the answer). */
		FAILED,

		/** No connection could be made (refused, unknown host, TLS): not the message's fault. */
		UNREACHABLE;

		String tag() {
			return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		}

	}

}
