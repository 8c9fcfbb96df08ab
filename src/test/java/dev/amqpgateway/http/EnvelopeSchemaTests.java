package dev.amqpgateway.http;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.amqpgateway.support.EnvelopeSchema;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The envelope's documented schema is a valid JSON Schema and refuses what the page says an
 * envelope is not; the integration tests hold every envelope and event they read against it.
 */
class EnvelopeSchemaTests {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	private static final String MESSAGE = """
			{"body": {"n": 1}, "backend": 0, "queue": "q", "exchange": "", "routing_key": "q",
			 "redelivered": false, "delivery_count": 1, "message_id": null, "correlation_id": null,
			 "content_type": null, "timestamp": "2026-11-30T10:15:30Z", "headers": {"a": [1, {"b": null}]}}
			""";

	@Test
	void schemaIsValidDraft202012() {
		SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
		assertThat(registry.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()))
			.validate(EnvelopeSchema.text(), InputFormat.JSON)).isEmpty();
	}

	@Test
	void theDocumentedMessageIsValid() {
		assertThat(EnvelopeSchema.errorsOfEnvelope(mapper.readTree("{\"messages\": [" + MESSAGE + "]}"))).isEmpty();
	}

	@Test
	void anEnvelopeWithoutMessagesIsNot() {
		assertThat(EnvelopeSchema.errorsOfEnvelope(mapper.readTree("{\"messages\": []}"))).isNotEmpty();
	}

	@Test
	void aMessageWithBothBodyAndErrorIsNot() {
		String both = MESSAGE.replace("\"body\": {\"n\": 1},", "\"body\": {\"n\": 1}, \"error\": \"bad\",");
		assertThat(EnvelopeSchema.errorsOfEnvelope(mapper.readTree("{\"messages\": [" + both + "]}"))).isNotEmpty();
	}

	@Test
	void anUndocumentedFieldIsNot() {
		String extra = MESSAGE.replace("\"backend\": 0,", "\"backend\": 0, \"priority\": 3,");
		assertThat(EnvelopeSchema.errorsOfEnvelope(mapper.readTree("{\"messages\": [" + extra + "]}"))).isNotEmpty();
	}

	@Test
	void aTimestampThatIsNotIso8601IsNot() {
		String epoch = MESSAGE.replace("\"2026-11-30T10:15:30Z\"", "\"1764497730\"");
		assertThat(EnvelopeSchema.errorsOfEnvelope(mapper.readTree("{\"messages\": [" + epoch + "]}"))).isNotEmpty();
	}

}
