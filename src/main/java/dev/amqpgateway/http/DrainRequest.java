package dev.amqpgateway.http;

import java.time.Duration;

import dev.amqpgateway.config.AckMode;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.OutputEncoding;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ServerWebInputException;

/**
 * What a {@code GET} on a consumer endpoint asks for: how many messages per backend
 * ({@code ?max=}), how long to wait for the first ({@code ?wait=}), and in which shape.
 *
 * @param shape the answer's shape
 * @param max most messages per backend
 * @param firstWait how long to wait for the first message
 */
record DrainRequest(Shape shape, int max, Duration firstWait) {

	/**
	 * Read a request's parameters against its endpoint's settings.
	 * @param request the request
	 * @param endpoint the endpoint
	 * @param timeout the endpoint's timeout, the longest wait
	 * @return what the request asks for
	 * @throws ServerWebInputException (400) for a {@code max} or {@code wait} out of bounds or unreadable
	 */
	static DrainRequest of(ServerRequest request, Endpoint endpoint, Duration timeout) {
		String maxParam = request.queryParam("max").orElse(null);
		String waitParam = request.queryParam("wait").orElse(null);
		String envelopeParam = request.queryParam("envelope").orElse(null);
		int max = 1;
		if (maxParam != null) {
			try {
				max = Integer.parseInt(maxParam);
			}
			catch (NumberFormatException ex) {
				max = 0;
			}
			if (max < 1 || max > endpoint.maxBatch()) {
				throw new ServerWebInputException(
						"max must be a whole number from 1 to " + endpoint.maxBatch() + " (max_batch), not '" + maxParam + "'");
			}
		}
		Duration wait = timeout;
		if (waitParam != null) {
			try {
				wait = DurationStyle.detectAndParse(waitParam);
			}
			catch (IllegalArgumentException ex) {
				throw new ServerWebInputException("wait must be a duration such as 500ms or 2s, not '" + waitParam + "'");
			}
			if (wait.isNegative()) {
				throw new ServerWebInputException("wait must not be negative, not '" + waitParam + "'");
			}
			wait = (wait.compareTo(timeout) > 0) ? timeout : wait;
		}
		if (envelopeParam != null && !envelopeParam.equals("true") && !envelopeParam.equals("false")) {
			throw new ServerWebInputException("envelope must be true or false, not '" + envelopeParam + "'");
		}
		boolean envelope = (envelopeParam != null) ? envelopeParam.equals("true") : endpoint.envelope();
		Shape shape = (maxParam != null || envelope || endpoint.ackMode() == AckMode.LEASE) ? Shape.ENVELOPE
				: (endpoint.outputEncoding() == OutputEncoding.NO_OP) ? Shape.RAW : Shape.MERGED;
		return new DrainRequest(shape, max, wait);
	}

	/**
	 * The shapes of an answer.
	 */
	enum Shape {

		/** The backends' messages decoded and merged into one object, as KrakenD answers. */
		MERGED,

		/** Every message with its metadata: {@code {"messages": [...]}}. */
		ENVELOPE,

		/** One message's body as it is, with its properties as {@code X-Amqp-*} headers. */
		RAW

	}

}
