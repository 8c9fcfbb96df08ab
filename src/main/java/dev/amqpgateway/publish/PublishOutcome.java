package dev.amqpgateway.publish;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What became of one publish, as the broker answered it.
 */
public sealed interface PublishOutcome {

	/**
	 * The id the message was published with.
	 * @return the message id
	 */
	String messageId();

	/**
	 * The broker confirmed the message: it is in every queue it was routed to.
	 *
	 * @param messageId the message's id
	 */
	record Confirmed(String messageId) implements PublishOutcome {
	}

	/**
	 * The broker refused the message ({@code basic.nack}).
	 *
	 * @param messageId the message's id
	 */
	record Nacked(String messageId) implements PublishOutcome {
	}

	/**
	 * No queue received the message, and {@code mandatory} made the broker return it.
	 *
	 * @param messageId the message's id
	 * @param replyText the broker's reason, such as {@code NO_ROUTE}
	 */
	record Unroutable(String messageId, String replyText) implements PublishOutcome {
	}

	/**
	 * No confirm came in time; the message may or may not have been published.
	 *
	 * @param messageId the message's id
	 */
	record TimedOut(String messageId) implements PublishOutcome {
	}

	/**
	 * The broker could not be reached, or the channel was lost before the confirm came (then the
	 * message may have been published).
	 *
	 * @param messageId the message's id
	 * @param reason why, without credentials
	 * @param published whether the message was sent before the loss (so it may have been published)
	 * @param nextAttempt when the backend tries its broker again, if it knows
	 */
	record Unavailable(String messageId, String reason, boolean published, @Nullable Instant nextAttempt)
			implements PublishOutcome {
	}

}
