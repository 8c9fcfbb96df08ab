package dev.amqpgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The envelope's documented JSON Schema, {@code docs/envelope.schema.json}, held against what the
 * gateway really answers: a test that reads an envelope or an event checks it here too, so the
 * page and the answers cannot drift apart.
 */
public final class EnvelopeSchema {

	/** Where the schema is documented. */
	public static final Path FILE = Path.of("docs/envelope.schema.json");

	private static final String ID = "https://amqp-gateway.dev/schemas/envelope.schema.json";

	private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
			(builder) -> builder.schemas(Map.of(ID, text()))
				.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

	private static final Schema ENVELOPE = REGISTRY.getSchema(SchemaLocation.of(ID));

	private static final Schema MESSAGE = REGISTRY.getSchema(SchemaLocation.of(ID + "#/$defs/message"));

	private EnvelopeSchema() {
	}

	/**
	 * What the schema finds wrong with an envelope.
	 * @param envelope an answer in the envelope form
	 * @return the errors, none when it is valid
	 */
	public static List<Error> errorsOfEnvelope(JsonNode envelope) {
		return ENVELOPE.validate(envelope);
	}

	/**
	 * Assert that an answer is an envelope as documented.
	 * @param envelope an answer in the envelope form
	 */
	public static void assertEnvelope(JsonNode envelope) {
		assertThat(errorsOfEnvelope(envelope)).as("%s against %s", envelope, FILE).isEmpty();
	}

	/**
	 * Assert that a server-sent event's data is a message of the envelope as documented.
	 * @param message the event's data
	 */
	public static void assertMessage(JsonNode message) {
		assertThat(MESSAGE.validate(message)).as("%s against %s#/$defs/message", message, FILE).isEmpty();
	}

	/**
	 * The schema as committed.
	 * @return its text
	 */
	public static String text() {
		try {
			return Files.readString(FILE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
