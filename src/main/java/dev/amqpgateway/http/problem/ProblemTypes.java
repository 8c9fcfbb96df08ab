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

	/** No queue received the published message: the exchange routed it nowhere. */
	public static final URI UNROUTABLE = of("unroutable");

	/** The broker refused the published message. */
	public static final URI PUBLISH_REFUSED = of("publish-refused");

	/** The broker did not confirm the message in time; it may have been published. */
	public static final URI CONFIRM_TIMEOUT = of("confirm-timeout");

	/** The request body is larger than {@code max_body_size}. */
	public static final URI PAYLOAD_TOO_LARGE = of("payload-too-large");

	/** A lease endpoint's backend has max_leases messages on lease. */
	public static final URI TOO_MANY_LEASES = of("too-many-leases");

	/** Receipts sent to an instance that did not issue them. */
	public static final URI MISDIRECTED_RECEIPT = of("misdirected-receipt");

	/** The endpoint needs a bearer token, and the request carried none or one that is refused. */
	public static final URI UNAUTHORIZED = of("unauthorized");

	/** The request's token lacks a role or scope the endpoint asks for. */
	public static final URI FORBIDDEN = of("forbidden");

	/** The endpoint's rate limit, or the client's, is used up for now. */
	public static final URI TOO_MANY_REQUESTS = of("too-many-requests");

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
