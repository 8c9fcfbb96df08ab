package dev.amqpgateway.broker;

import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.ShutdownSignalException;

import org.springframework.util.StringUtils;

/**
 * Short, credential-free descriptions of broker failures for logs and health.
 */
public final class Failures {

	private Failures() {
	}

	/**
	 * Describe a failure by its innermost useful cause, the broker's reply text when there is one.
	 * @param failure what went wrong
	 * @return a one-line description
	 */
	public static String describe(Throwable failure) {
		Throwable cause = failure;
		while (cause != null) {
			if (cause instanceof ShutdownSignalException signal) {
				return describeSignal(signal);
			}
			if (cause.getCause() == null || cause.getCause() == cause) {
				break;
			}
			cause = cause.getCause();
		}
		String message = cause.getMessage();
		if (!StringUtils.hasText(message) && cause instanceof TimeoutException) {
			message = "the broker did not answer in time";
		}
		return cause.getClass().getSimpleName() + (StringUtils.hasText(message) ? ": " + message : "");
	}

	private static String describeSignal(ShutdownSignalException signal) {
		if (signal.getReason() instanceof com.rabbitmq.client.AMQP.Channel.Close close) {
			return close.getReplyCode() + " " + close.getReplyText();
		}
		if (signal.getReason() instanceof com.rabbitmq.client.AMQP.Connection.Close close) {
			return close.getReplyCode() + " " + close.getReplyText();
		}
		return "connection lost: " + ((signal.getCause() != null) ? describe(signal.getCause()) : signal.getMessage());
	}

}
