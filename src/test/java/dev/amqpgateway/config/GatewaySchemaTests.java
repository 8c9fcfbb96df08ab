package dev.amqpgateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import jakarta.validation.constraints.Size;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The committed JSON Schema of the {@code gateway:} subtree, {@code docs/gateway.schema.json}:
 * current with the records, and agreeing with the examples of the documentation.
 * <p>
 * The fresh schema is written to {@code target/gateway.schema.json} on every run;
 * {@code -Dgateway.schema.write=true} also rewrites the committed one.
 */
class GatewaySchemaTests {

	private static final Path COMMITTED = Path.of("docs/gateway.schema.json");

	private static final Path FRESH = Path.of("target/gateway.schema.json");

	/** A YAML example with a top-level {@code gateway:} key, beside {@code spring:} or alone. */
	private static final Pattern GATEWAY_YAML = Pattern.compile("```yaml\\n((?:(?!```).)*?^gateway:\\n.*?)```",
			Pattern.DOTALL | Pattern.MULTILINE);

	private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

	private static String schema;

	@BeforeAll
	static void generate() throws IOException {
		schema = new GatewaySchemaGenerator(Path.of("src/main/java")).generate(GatewayProperties.class);
		Files.createDirectories(FRESH.getParent());
		Files.writeString(FRESH, schema);
		if (Boolean.getBoolean("gateway.schema.write")) {
			Files.writeString(COMMITTED, schema);
		}
	}

	@Test
	void committedSchemaIsCurrent() throws IOException {
		assertThat(Files.readString(COMMITTED))
			.as("%s differs from the records (fresh copy in %s); rewrite it with "
					+ "./mvnw test -Dtest=GatewaySchemaTests -Dgateway.schema.write=true", COMMITTED, FRESH)
			.isEqualTo(schema);
	}

	@Test
	void schemaIsValidDraft202012() {
		Schema metaSchema = REGISTRY.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
		assertThat(metaSchema.validate(schema, InputFormat.JSON)).isEmpty();
	}

	@Test
	void failsOnAConstraintItCannotExpress() {
		assertThatIllegalStateException()
			.isThrownBy(() -> new GatewaySchemaGenerator(Path.of("src/test/java")).generate(Sized.class))
			.withMessage("No schema for @Size on Sized.name");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("documentedExamples")
	void acceptsTheDocumentedExamples(String where, String example) {
		assertThat(errorsOf(example)).isEmpty();
	}

	@Test
	void acceptsTheApplicationYaml() throws IOException {
		assertThat(errorsOf(Files.readString(Path.of("src/main/resources/application.yaml")))).isEmpty();
	}

	@Test
	void refusesWhatTheBinderRefuses() {
		List<Error> errors = errorsOf("""
				gateway:
				  timeout: 3 secs
				  max_message_size: 16mb
				  prefetch_limit: 0
				  endpoints:
				    - endpoint: /orders
				      timeout: 0s
				      backend:
				        - host: []
				          encoding: xml
				          amqp:
				            consumer:
				              exchange: x
				              routing_key: ["#"]
				              prefech_count: 10
				              prefetch_count: -1
				""");
		assertThat(errors).extracting((error) -> error.getInstanceLocation() + " " + error.getKeyword())
			.contains("/gateway/timeout pattern", "/gateway/max_message_size pattern", "/gateway/prefetch_limit minimum",
					"/gateway/endpoints/0/timeout pattern", "/gateway/endpoints/0/backend/0/host minItems",
					"/gateway/endpoints/0/backend/0/encoding enum",
					"/gateway/endpoints/0/backend/0/amqp/consumer required",
					"/gateway/endpoints/0/backend/0/amqp/consumer additionalProperties",
					"/gateway/endpoints/0/backend/0/amqp/consumer/prefetch_count minimum");
	}

	@Test
	void refusesWhatTheBinderRefusesInAnAgent() {
		List<Error> errors = errorsOf("""
				gateway:
				  async_agents:
				    - name: billing
				      consumer: {topic: "#", workers: 0, worker: 4, max_rate: -1}
				      backend:
				        - host: ["http://billing:8080"]
				      amqp:
				        host: amqp://localhost
				        name: invoices
				        prefetch_count: -1
				""");
		assertThat(errors).extracting((error) -> error.getInstanceLocation() + " " + error.getKeyword())
			.contains("/gateway/async_agents/0/consumer/workers minimum",
					"/gateway/async_agents/0/consumer additionalProperties",
					"/gateway/async_agents/0/consumer/max_rate minimum", "/gateway/async_agents/0/backend/0 required",
					"/gateway/async_agents/0/amqp required", "/gateway/async_agents/0/amqp/prefetch_count minimum");
	}

	@Test
	void acceptsTheKeysOfAnAgentsQueue() {
		assertThat(errorsOf("""
				gateway:
				  async_agents:
				    - name: billing
				      consumer: {topic: "#", max_rate: 0.5}
				      backend:
				        - host: ["http://billing:8080"]
				          url_pattern: /invoices
				      amqp:
				        host: amqp://localhost
				        name: invoices
				        exchange: billing
				        exclusive: false
				        prefetch_size: 0
				        queue_arguments: {x-queue-type: quorum}
				""")).isEmpty();
	}

	private static List<Error> errorsOf(String yaml) {
		return REGISTRY.getSchema(schema, InputFormat.JSON).validate(yaml, InputFormat.YAML);
	}

	static Stream<Arguments> documentedExamples() throws IOException {
		List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
		try (Stream<Path> docs = Files.list(Path.of("docs"))) {
			docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(files::add);
		}
		List<Arguments> examples = new ArrayList<>();
		for (Path file : files) {
			String text = Files.readString(file);
			Matcher block = GATEWAY_YAML.matcher(text);
			while (block.find()) {
				int line = (int) text.substring(0, block.start()).lines().count() + 1;
				examples.add(Arguments.of(file + ":" + line, block.group(1)));
			}
		}
		assertThat(examples).as("gateway: examples in README.md and docs/").hasSizeGreaterThanOrEqualTo(3);
		return examples.stream();
	}

	/**
	 * A record with a constraint the schema has no keyword for.
	 *
	 * @param name a name of at most three characters
	 */
	record Sized(@Size(max = 3) String name) {
	}

}
