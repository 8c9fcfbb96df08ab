package dev.amqpgateway.config;

/**
 * How a backend turns a message body into the JSON it contributes to a response.
 */
public enum Encoding {

	/** The body must be a JSON object (or an array, with {@code is_collection}). */
	JSON,

	/** Any JSON value: objects as they are, arrays as a collection, others as content. */
	SAFEJSON,

	/** The body as UTF-8 text under {@code content}. */
	STRING,

	/** The body is not read; the backend contributes an empty object. */
	NO_OP

}
