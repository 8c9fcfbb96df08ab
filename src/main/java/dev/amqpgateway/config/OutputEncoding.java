package dev.amqpgateway.config;

/**
 * How a consumer endpoint answers (KrakenD's endpoint {@code output_encoding}).
 */
public enum OutputEncoding {

	/** The backends' messages decoded and merged into one JSON object (or the envelope). */
	JSON,

	/** The one backend's message body as it is, with its content type and {@code X-Amqp-*} headers. */
	NO_OP

}
