package dev.amqpgateway.http.problem;

import java.net.URI;

/**
 * The stable {@code type} URIs of the problems the gateway answers with.
 */
public final class ProblemTypes {

	/** No backend of the endpoint could reach its broker. */
	public static final URI BROKER_UNAVAILABLE = of("broker-unavailable");

	/** The message taken could not be decoded with the backend's encoding. */
	public static final URI UNDECODABLE_MESSAGE = of("undecodable-message");

	/** No endpoint has this path. */
	public static final URI NOT_FOUND = of("not-found");

	/** The endpoint answers GET only. */
	public static final URI METHOD_NOT_ALLOWED = of("method-not-allowed");

	/** The request itself is malformed or too large. */
	public static final URI BAD_REQUEST = of("bad-request");

	/** Something failed inside the gateway. */
	public static final URI INTERNAL_ERROR = of("internal-error");

	private ProblemTypes() {
	}

	private static URI of(String name) {
		return URI.create("urn:amqp-gateway:problem:" + name);
	}

}
