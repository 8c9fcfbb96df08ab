package dev.amqpgateway.publish;

/**
 * A request whose values cannot make a message, such as a priority that is not a number from 0
 * to 255; nothing was published.
 */
public final class InvalidPublishRequestException extends RuntimeException {

	InvalidPublishRequestException(String message) {
		super(message, null, false, false);
	}

}
