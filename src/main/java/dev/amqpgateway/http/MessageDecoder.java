package dev.amqpgateway.http;

import java.nio.charset.StandardCharsets;

import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.Encoding;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

/**
 * Turns a message body into the JSON object a backend contributes, per its {@code encoding}.
 */
final class MessageDecoder {

	private final JsonMapper mapper;

	MessageDecoder(JsonMapper mapper) {
		// A message's size is bounded by max_message_size, so Jackson's own cap on one string (100
		// million characters) would only refuse a message the gateway accepted; its caps on
		// nesting and number length stay.
		JsonFactory factory = (JsonFactory) mapper.tokenStreamFactory();
		StreamReadConstraints constraints = factory.streamReadConstraints()
			.rebuild()
			.maxStringLength(Integer.MAX_VALUE)
			.build();
		this.mapper = JsonMapper.builder(factory.rebuild().streamReadConstraints(constraints).build())
			.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
			.build();
	}

	ObjectNode decode(Backend backend, byte[] body) {
		return switch (backend.encoding()) {
			case JSON -> json(body, backend.isCollection());
			case SAFEJSON -> safeJson(body);
			case STRING -> content(this.mapper.getNodeFactory().stringNode(new String(body, StandardCharsets.UTF_8)));
			case NO_OP -> this.mapper.createObjectNode();
		};
	}

	/**
	 * A body as an envelope lists it: a JSON object of a {@code json} or {@code safejson} backend
	 * goes in as it came, validated without building a tree that would only be written again
	 * ({@link RawValue} of {@link RawJson}); anything else as {@link #decode} makes it.
	 * @param backend the backend the message came from
	 * @param body the message body
	 * @return the value of the envelope's {@code body}
	 * @throws UndecodableBodyException when the backend's encoding cannot turn the body into JSON
	 */
	JsonNode envelopeBody(Backend backend, byte[] body) {
		boolean json = backend.encoding() == Encoding.JSON || backend.encoding() == Encoding.SAFEJSON;
		if (json && isUtf8Object(body) && jsonObjectLines(body) == 1) {
			return this.mapper.getNodeFactory().rawValueNode(new RawValue(new RawJson(body)));
		}
		return decode(backend, body);
	}

	/**
	 * Whether a body's bytes can stand in a UTF-8 answer as they are, if it is a JSON object: the
	 * parser also reads UTF-16 and UTF-32 (told by a zero among the first bytes, after the brace here)
	 * and skips a byte order mark, which cannot be copied either. A body with white space before its
	 * brace is decoded and written again instead.
	 */
	private static boolean isUtf8Object(byte[] body) {
		return body.length > 1 && body[0] == '{' && body[1] != 0;
	}

	/**
	 * Whether the body is exactly one JSON object, checked without building it.
	 * @param body a message body
	 * @return true for a well-formed object with nothing after it
	 */
	boolean isJsonObject(byte[] body) {
		return jsonObjectLines(body) > 0;
	}

	/**
	 * The lines a body spans if it is exactly one JSON object: a body on one line can stand in an
	 * event stream's {@code data:} field, which ends at a line break (JSON has line breaks only
	 * between tokens, where the parser counts them).
	 * @return the lines, from 1, or 0 when the body is not one well-formed object
	 */
	private int jsonObjectLines(byte[] body) {
		if (body.length == 0) {
			return 0;
		}
		try (JsonParser parser = this.mapper.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return 0;
			}
			int depth = 1;
			while (depth > 0) {
				JsonToken token = parser.nextToken();
				if (token == null) {
					return 0;
				}
				if (token.isStructStart()) {
					depth++;
				}
				else if (token.isStructEnd()) {
					depth--;
				}
				else if (token == JsonToken.VALUE_STRING) {
					// Decoding the text is what checks its escapes and UTF-8; skipping would not.
					parser.getTextLength();
				}
			}
			return (parser.nextToken() == null) ? parser.currentLocation().getLineNr() : 0;
		}
		catch (JacksonException ex) {
			return 0;
		}
	}

	private ObjectNode json(byte[] body, boolean isCollection) {
		JsonNode node = parse(body);
		if (node.isObject()) {
			return (ObjectNode) node;
		}
		if (node.isArray()) {
			if (isCollection) {
				return collection(node);
			}
			throw new UndecodableBodyException("the body is a JSON array; set is_collection to accept arrays");
		}
		throw new UndecodableBodyException("the body is JSON but not an object");
	}

	private ObjectNode safeJson(byte[] body) {
		JsonNode node = parse(body);
		if (node.isObject()) {
			return (ObjectNode) node;
		}
		return node.isArray() ? collection(node) : content(node);
	}

	private JsonNode parse(byte[] body) {
		if (body.length == 0) {
			throw new UndecodableBodyException("the body is empty");
		}
		try {
			JsonNode node = this.mapper.readTree(body);
			if (node == null || node.isMissingNode()) {
				throw new UndecodableBodyException("the body holds no JSON value");
			}
			return node;
		}
		catch (JacksonException ex) {
			throw new UndecodableBodyException("the body is not valid JSON: " + ex.getOriginalMessage());
		}
	}

	private ObjectNode collection(JsonNode array) {
		ObjectNode node = this.mapper.createObjectNode();
		node.set("collection", array);
		return node;
	}

	private ObjectNode content(JsonNode value) {
		ObjectNode node = this.mapper.createObjectNode();
		node.set("content", value);
		return node;
	}

	/**
	 * A body that the backend's encoding cannot turn into JSON.
	 */
	static final class UndecodableBodyException extends RuntimeException {

		private final String reason;

		UndecodableBodyException(String reason) {
			super(reason, null, false, false);
			this.reason = reason;
		}

		/**
		 * What made the body undecodable; the message, typed as never null as {@link #getMessage()} is not.
		 */
		String reason() {
			return this.reason;
		}

	}

}
