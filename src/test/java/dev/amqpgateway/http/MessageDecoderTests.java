package dev.amqpgateway.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.Encoding;
import dev.amqpgateway.http.MessageDecoder.UndecodableBodyException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Decoding of message bodies per backend {@code encoding}.
 */
class MessageDecoderTests {

	private final MessageDecoder decoder = new MessageDecoder(JsonMapper.builder().build());

	@Test
	void jsonAnswersAnObjectAsItIs() {
		assertThat(decode(Encoding.JSON, "{\"id\": 1, \"items\": [\"a\"]}"))
			.hasToString("{\"id\":1,\"items\":[\"a\"]}");
	}

	@Test
	void aStringLongerThanJacksonsDefaultCapIsStillJson() {
		// Jackson refuses strings over 100 million characters by default; max_message_size decides here.
		byte[] body = new byte[100_000_100];
		java.util.Arrays.fill(body, (byte) 'x');
		byte[] start = bytes("{\"data\":\"");
		System.arraycopy(start, 0, body, 0, start.length);
		body[body.length - 2] = '"';
		body[body.length - 1] = '}';
		assertThat(this.decoder.isJsonObject(body)).isTrue();
		assertThat(this.decoder.decode(backend(Encoding.JSON, false), body).get("data").asString()).hasSize(
				body.length - start.length - 2);
	}

	@Test
	void jsonRefusesAnArrayWithoutIsCollection() {
		assertThatExceptionOfType(UndecodableBodyException.class).isThrownBy(() -> decode(Encoding.JSON, "[1, 2]"))
			.withMessageContaining("is_collection");
	}

	@Test
	void jsonAnswersAnArrayAsCollectionWithIsCollection() {
		assertThat(this.decoder.decode(backend(Encoding.JSON, true), bytes("[1, {\"a\": 2}]")))
			.hasToString("{\"collection\":[1,{\"a\":2}]}");
	}

	@Test
	void jsonWithIsCollectionStillAnswersAnObjectAsItIs() {
		assertThat(this.decoder.decode(backend(Encoding.JSON, true), bytes("{\"a\": 1}"))).hasToString("{\"a\":1}");
	}

	@Test
	void jsonRefusesAScalar() {
		assertThatExceptionOfType(UndecodableBodyException.class).isThrownBy(() -> decode(Encoding.JSON, "42"))
			.withMessage("the body is JSON but not an object");
	}

	@Test
	void jsonRefusesAString() {
		assertThatExceptionOfType(UndecodableBodyException.class)
			.isThrownBy(() -> decode(Encoding.JSON, "\"text\""));
	}

	@Test
	void jsonRefusesNull() {
		assertThatExceptionOfType(UndecodableBodyException.class).isThrownBy(() -> decode(Encoding.JSON, "null"));
	}

	@Test
	void jsonRefusesTrailingGarbage() {
		assertThatExceptionOfType(UndecodableBodyException.class)
			.isThrownBy(() -> decode(Encoding.JSON, "{\"a\": 1} trailing"))
			.withMessageStartingWith("the body is not valid JSON");
	}

	@Test
	void jsonRefusesASecondValue() {
		assertThatExceptionOfType(UndecodableBodyException.class)
			.isThrownBy(() -> decode(Encoding.JSON, "{\"a\": 1}{\"b\": 2}"));
	}

	@Test
	void jsonRefusesInvalidJson() {
		assertThatExceptionOfType(UndecodableBodyException.class).isThrownBy(() -> decode(Encoding.JSON, "{\"a\":"))
			.withMessageStartingWith("the body is not valid JSON");
	}

	@Test
	void jsonRefusesAnEmptyBody() {
		assertThatExceptionOfType(UndecodableBodyException.class).isThrownBy(() -> decode(Encoding.JSON, ""))
			.withMessage("the body is empty");
	}

	@Test
	void jsonRefusesABodyOfWhitespace() {
		assertThatExceptionOfType(UndecodableBodyException.class).isThrownBy(() -> decode(Encoding.JSON, " \n "));
	}

	@Test
	void safeJsonAnswersAnObjectAsItIs() {
		assertThat(decode(Encoding.SAFEJSON, "{\"a\": 1}")).hasToString("{\"a\":1}");
	}

	@Test
	void safeJsonAnswersAnArrayAsCollection() {
		assertThat(decode(Encoding.SAFEJSON, "[1, 2]")).hasToString("{\"collection\":[1,2]}");
	}

	@Test
	void safeJsonAnswersANumberAsContent() {
		assertThat(decode(Encoding.SAFEJSON, "42")).hasToString("{\"content\":42}");
	}

	@Test
	void safeJsonAnswersAStringAsContent() {
		assertThat(decode(Encoding.SAFEJSON, "\"hello\"")).hasToString("{\"content\":\"hello\"}");
	}

	@Test
	void safeJsonAnswersNullAsContent() {
		assertThat(decode(Encoding.SAFEJSON, "null")).hasToString("{\"content\":null}");
	}

	@Test
	void safeJsonRefusesInvalidJson() {
		assertThatExceptionOfType(UndecodableBodyException.class)
			.isThrownBy(() -> decode(Encoding.SAFEJSON, "not json"));
	}

	@Test
	void safeJsonRefusesAnEmptyBody() {
		assertThatExceptionOfType(UndecodableBodyException.class).isThrownBy(() -> decode(Encoding.SAFEJSON, ""));
	}

	@Test
	void stringAnswersTheBodyAsUtf8Content() {
		assertThat(decode(Encoding.STRING, "héllo ✓ \"quoted\"").get("content").stringValue())
			.isEqualTo("héllo ✓ \"quoted\"");
	}

	@Test
	void stringAnswersAnEmptyBodyAsEmptyContent() {
		assertThat(decode(Encoding.STRING, "")).hasToString("{\"content\":\"\"}");
	}

	@Test
	void stringReplacesInvalidUtf8InsteadOfFailing() {
		byte[] body = { 'a', (byte) 0xC3, 0x28, 'b' };
		assertThat(this.decoder.decode(backend(Encoding.STRING, false), body).get("content").stringValue())
			.isEqualTo("a\uFFFD(b");
	}

	@Test
	void noOpIgnoresTheBody() {
		byte[] body = { (byte) 0xFF, '{', 0 };
		assertThat(this.decoder.decode(backend(Encoding.NO_OP, false), body)).isEmpty();
	}

	private ObjectNode decode(Encoding encoding, String body) {
		return this.decoder.decode(backend(encoding, false), bytes(body));
	}

	private static byte[] bytes(String body) {
		return body.getBytes(StandardCharsets.UTF_8);
	}

	// Decoding reads only the encoding and is_collection of a backend.
	private static Backend backend(Encoding encoding, boolean isCollection) {
		return new Backend(List.of("amqp://localhost"), encoding, isCollection, "", false, null, null);
	}

	@Test
	void isJsonObjectAcceptsExactlyOneObject() {
		assertThat(this.decoder.isJsonObject(bytes("{\"a\": {\"b\": [1, \"x\"]}}"))).isTrue();
		assertThat(this.decoder.isJsonObject(bytes(" {} "))).isTrue();
	}

	@Test
	void isJsonObjectRefusesWhatTheTreeParserRefuses() {
		assertThat(this.decoder.isJsonObject(bytes("[1]"))).isFalse();
		assertThat(this.decoder.isJsonObject(bytes("{} {}"))).isFalse();
		assertThat(this.decoder.isJsonObject(bytes("{\"a\": 1"))).isFalse();
		assertThat(this.decoder.isJsonObject(bytes("{\"a\": \"\\q\"}"))).isFalse();
		assertThat(this.decoder.isJsonObject(new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}' }))
			.isFalse();
		assertThat(this.decoder.isJsonObject(new byte[0])).isFalse();
	}

	@Test
	void envelopeBodyCopiesAnObjectAsItCame() {
		JsonMapper mapper = JsonMapper.builder().build();
		String body = "{\"price\": 1.10, \"id\":1}";
		assertThat(mapper.writeValueAsString(this.decoder.envelopeBody(backend(Encoding.JSON, false), bytes(body))))
			.isEqualTo(body);
	}

	@Test
	void envelopeBodyWritesAnObjectOverSeveralLinesOnOne() {
		JsonMapper mapper = JsonMapper.builder().build();
		String body = "{\"id\": 1,\n \"items\": [\"a\"]\r\n}";
		assertThat(mapper.writeValueAsString(this.decoder.envelopeBody(backend(Encoding.JSON, false), bytes(body))))
			.isEqualTo("{\"id\":1,\"items\":[\"a\"]}");
		assertThat(mapper.writeValueAsString(this.decoder.envelopeBody(backend(Encoding.JSON, false), bytes("{\"id\":\r1}"))))
			.isEqualTo("{\"id\":1}");
	}

	@Test
	void envelopeBodyWritesAnObjectInUtf16AsUtf8() {
		JsonMapper mapper = JsonMapper.builder().build();
		byte[] body = "{\"a\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_16LE);
		assertThat(mapper.writeValueAsString(this.decoder.envelopeBody(backend(Encoding.JSON, false), body)))
			.isEqualTo("{\"a\":\"\u00e9\"}");
	}

	@Test
	void envelopeBodyRefusesWhatDecodeRefuses() {
		assertThatExceptionOfType(UndecodableBodyException.class)
			.isThrownBy(() -> this.decoder.envelopeBody(backend(Encoding.JSON, false), bytes("{\"a\": 1} x")));
		assertThatExceptionOfType(UndecodableBodyException.class)
			.isThrownBy(() -> this.decoder.envelopeBody(backend(Encoding.JSON, false), bytes("{\"a\": \"\\q\"}")));
	}

}
