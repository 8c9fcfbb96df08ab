package dev.amqpgateway.support;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Reads envelopes while the gateway may not answer with one: a test that polls through a
 * reconnect sees 503s and 204s before the messages come back.
 */
public final class Envelopes {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	private Envelopes() {
	}

	/**
	 * The messages of one {@code GET}, whatever its status.
	 * @param client a client of the gateway
	 * @param uri the endpoint, with its query
	 * @return the envelope's messages (checked against the documented schema); none when the
	 * answer was not an envelope
	 */
	public static List<JsonNode> messagesOf(WebTestClient client, String uri) {
		List<byte[]> parts = client.get().uri(uri).exchange().returnResult(byte[].class).getResponseBody()
			.collectList()
			.block();
		List<JsonNode> messages = new ArrayList<>();
		if (parts == null || parts.isEmpty()) {
			return messages;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		parts.forEach(bytes::writeBytes);
		JsonNode answer = mapper.readTree(bytes.toByteArray());
		if (answer.has("messages")) {
			EnvelopeSchema.assertEnvelope(answer);
			answer.get("messages").forEach(messages::add);
		}
		return messages;
	}

}
