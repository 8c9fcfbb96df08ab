package dev.amqpgateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.core.util.Separators.Spacing;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Writes the JSON Schema (draft 2020-12) of the {@code gateway:} subtree by reflection over the
 * bound records: keys in the snake_case the documentation uses, types, {@code @DefaultValue}
 * defaults, constraint annotations, and descriptions from each record's {@code @param} Javadoc.
 * <p>
 * Javadoc is not kept in class files, and the configuration processor's metadata stops at the
 * first list ({@code gateway.endpoints}), so the descriptions are read from the records' source
 * files. A property without an {@code @param}, or with a constraint annotation that has no schema
 * counterpart, fails the generation rather than being left out.
 */
final class GatewaySchemaGenerator {

	private static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

	private static final String UNITS = "([nNuUmM]?[sS]|[mMhHdD])?";

	// Boot's DurationStyle: a number with an optional unit (milliseconds without one), or ISO-8601.
	private static final String DURATION = "^[+-]?\\d+" + UNITS + "$|^[+-]?[pP]\\S+$";

	private static final String POSITIVE_DURATION = "^\\+?0*[1-9]\\d*" + UNITS + "$|^\\+?[pP]\\S+$";

	// DataSize.parse: a number of bytes with an optional unit, spelt in capitals.
	private static final String DATA_SIZE = "^[+-]?\\d+(B|KB|MB|GB|TB)?$";

	private static final Set<Class<? extends Annotation>> CONSTRAINTS = Set.of(NotNull.class, NotBlank.class,
			NotEmpty.class, Min.class, Max.class, Positive.class, PositiveOrZero.class, DurationMin.class);

	private static final Pattern PARAM = Pattern.compile("^@param\\s+(\\w+)\\s+(.*)$", Pattern.DOTALL);

	private static final Pattern INLINE_TAG = Pattern.compile("\\{@(?:code|link|literal)\\s+([^}]*)\\}");

	private final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private final Path sources;

	private final ObjectNode definitions = this.nodes.objectNode();

	private final Map<Class<?>, String> definitionNames = new LinkedHashMap<>();

	/**
	 * A generator that reads Javadoc from the given source root.
	 * @param sources the main source root, such as {@code src/main/java}
	 */
	GatewaySchemaGenerator(Path sources) {
		this.sources = sources;
	}

	/**
	 * The schema of a file whose {@code gateway:} key binds to the given properties record.
	 * @param properties the {@code @ConfigurationProperties} record bound to {@code gateway}
	 * @return the schema as pretty-printed JSON, ending with a line break
	 */
	String generate(Class<? extends Record> properties) {
		this.definitions.removeAll();
		this.definitionNames.clear();
		ObjectNode schema = this.nodes.objectNode();
		schema.put("$schema", DIALECT);
		schema.put("title", "amqp-gateway configuration");
		schema.put("description", "The gateway: subtree of the application's configuration file. "
				+ "Other top-level keys (spring, server, management, ...) are left to Spring Boot and not checked.");
		schema.put("type", "object");
		schema.putObject("properties").set("gateway", reference(properties));
		schema.set("$defs", this.definitions);
		DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
			.withSeparators(Separators.createDefaultInstance().withObjectNameValueSpacing(Spacing.AFTER));
		return JsonMapper.builder().defaultPrettyPrinter(printer).enable(SerializationFeature.INDENT_OUTPUT).build()
			.writeValueAsString(schema) + "\n";
	}

	private ObjectNode reference(Class<?> record) {
		String name = this.definitionNames.get(record);
		if (name == null) {
			name = definitionName(record);
			this.definitionNames.put(record, name);
			// A placeholder first, so that $defs lists the records in the order they are met.
			this.definitions.putObject(name);
			this.definitions.set(name, definition(record));
		}
		return this.nodes.objectNode().put("$ref", "#/$defs/" + name);
	}

	/**
	 * The record's simple name, prefixed with its enclosing record's when another record took it
	 * first: {@code AsyncAgentAmqp} beside {@code Backend}'s {@code Amqp}.
	 */
	private String definitionName(Class<?> record) {
		String name = record.getSimpleName();
		if (!this.definitionNames.containsValue(name)) {
			return name;
		}
		Class<?> enclosing = record.getEnclosingClass();
		String qualified = (enclosing != null) ? enclosing.getSimpleName() + name : null;
		if (qualified == null || this.definitionNames.containsValue(qualified)) {
			throw new IllegalStateException("Two records named " + name + ": " + record.getName());
		}
		return qualified;
	}

	private ObjectNode definition(Class<?> record) {
		Javadoc javadoc = javadocOf(record);
		ObjectNode definition = this.nodes.objectNode();
		if (javadoc.summary() != null) {
			definition.put("description", javadoc.summary());
		}
		definition.put("type", "object");
		ObjectNode properties = definition.putObject("properties");
		ArrayNode required = this.nodes.arrayNode();
		RecordComponent[] components = record.getRecordComponents();
		Parameter[] parameters = canonicalConstructor(record, components).getParameters();
		for (int i = 0; i < components.length; i++) {
			String key = DataObjectPropertyName.toDashedForm(components[i].getName()).replace('-', '_');
			ObjectNode property = property(record, components[i].getName(), parameters[i], javadoc);
			properties.set(key, property);
			if (parameters[i].getAnnotation(DefaultValue.class) == null && (has(parameters[i], NotNull.class)
					|| has(parameters[i], NotBlank.class) || has(parameters[i], NotEmpty.class))) {
				required.add(key);
			}
		}
		if (!required.isEmpty()) {
			definition.set("required", required);
		}
		definition.put("additionalProperties", false);
		return definition;
	}

	private ObjectNode property(Class<?> record, String name, Parameter parameter, Javadoc javadoc) {
		String description = javadoc.params().get(name);
		if (description == null) {
			throw new IllegalStateException("No @param " + name + " in the Javadoc of " + record.getName());
		}
		ObjectNode property = this.nodes.objectNode().put("description", description);
		property.setAll(schemaOf(parameter.getParameterizedType()));
		DefaultValue defaultValue = parameter.getAnnotation(DefaultValue.class);
		if (defaultValue != null) {
			putDefault(property, parameter.getType(), defaultValue.value());
		}
		for (Annotation annotation : parameter.getAnnotations()) {
			constrain(property, annotation, record.getSimpleName() + "." + name, parameter.getType());
		}
		return property;
	}

	private ObjectNode schemaOf(Type type) {
		if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == List.class) {
			Type element = parameterized.getActualTypeArguments()[0];
			ObjectNode list = this.nodes.objectNode();
			if (element == String.class) {
				// Spring's conversion also takes a comma-separated string for a list of strings.
				list.putArray("type").add("array").add("string");
			}
			else {
				list.put("type", "array");
			}
			return list.set("items", schemaOf(element));
		}
		if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Map.class) {
			ObjectNode map = this.nodes.objectNode().put("type", "object");
			return map.set("additionalProperties", schemaOf(parameterized.getActualTypeArguments()[1]));
		}
		if (!(type instanceof Class<?> plain)) {
			throw new IllegalStateException("No schema for " + type);
		}
		ObjectNode schema = this.nodes.objectNode();
		if (plain == String.class) {
			return schema.put("type", "string");
		}
		if (plain == int.class || plain == Integer.class || plain == long.class || plain == Long.class) {
			return schema.put("type", "integer");
		}
		if (plain == double.class || plain == Double.class) {
			return schema.put("type", "number");
		}
		if (plain == boolean.class || plain == Boolean.class) {
			return schema.put("type", "boolean");
		}
		if (plain == Duration.class) {
			return schema.put("type", "string").put("pattern", DURATION);
		}
		if (plain == DataSize.class) {
			return schema.put("type", "string").put("pattern", DATA_SIZE);
		}
		if (plain.isEnum()) {
			ArrayNode values = schema.put("type", "string").putArray("enum");
			Arrays.stream(plain.getEnumConstants()).map((constant) -> enumValue((Enum<?>) constant)).forEach(values::add);
			return schema;
		}
		if (plain.isRecord()) {
			return reference(plain);
		}
		if (plain == Object.class) {
			// Queue arguments: the broker takes strings, numbers and booleans.
			schema.putArray("type").add("string").add("number").add("boolean");
			return schema;
		}
		throw new IllegalStateException("No schema for " + plain.getName());
	}

	private void putDefault(ObjectNode property, Class<?> type, String[] values) {
		if (values.length == 0) {
			if (List.class.isAssignableFrom(type)) {
				property.putArray("default");
			}
			else if (Map.class.isAssignableFrom(type)) {
				property.putObject("default");
			}
			return;
		}
		String value = values[0];
		if (type == boolean.class || type == Boolean.class) {
			property.put("default", Boolean.parseBoolean(value));
		}
		else if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
			property.put("default", Long.parseLong(value));
		}
		else if (type == double.class || type == Double.class) {
			property.put("default", Double.parseDouble(value));
		}
		else {
			property.put("default", value);
		}
	}

	private void constrain(ObjectNode property, Annotation annotation, String component, Class<?> type) {
		String origin = annotation.annotationType().getPackageName();
		if (!origin.startsWith("jakarta.validation.constraints")
				&& !origin.startsWith("org.hibernate.validator.constraints")) {
			return;
		}
		if (!CONSTRAINTS.contains(annotation.annotationType())) {
			throw new IllegalStateException(
					"No schema for @" + annotation.annotationType().getSimpleName() + " on " + component);
		}
		if (annotation instanceof Min min) {
			property.put("minimum", min.value());
		}
		else if (annotation instanceof Max max) {
			property.put("maximum", max.value());
		}
		else if (annotation instanceof PositiveOrZero) {
			property.put("minimum", 0);
		}
		else if (annotation instanceof Positive) {
			property.put("exclusiveMinimum", 0);
		}
		else if (annotation instanceof DurationMin) {
			property.put("pattern", POSITIVE_DURATION);
		}
		else if (annotation instanceof NotBlank || annotation instanceof NotEmpty) {
			property.put(CharSequence.class.isAssignableFrom(type) ? "minLength" : "minItems", 1);
		}
	}

	private static boolean has(Parameter parameter, Class<? extends Annotation> annotation) {
		return parameter.getAnnotation(annotation) != null;
	}

	/**
	 * The value as the documentation and the failure messages spell it: {@code no-op} for
	 * {@code NO_OP}.
	 */
	private static String enumValue(Enum<?> constant) {
		return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	private static Constructor<?> canonicalConstructor(Class<?> record, RecordComponent[] components) {
		try {
			return record.getDeclaredConstructor(
					Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private Javadoc javadocOf(Class<?> record) {
		Class<?> topLevel = record;
		while (topLevel.getEnclosingClass() != null) {
			topLevel = topLevel.getEnclosingClass();
		}
		String source;
		try {
			source = Files.readString(this.sources.resolve(topLevel.getName().replace('.', '/') + ".java"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Matcher declaration = Pattern.compile("\\brecord\\s+" + record.getSimpleName() + "\\s*\\(").matcher(source);
		if (!declaration.find()) {
			throw new IllegalStateException("No declaration of " + record.getName() + " in its source");
		}
		String before = source.substring(0, declaration.start());
		int end = before.lastIndexOf("*/");
		int start = before.lastIndexOf("/**");
		// The comment belongs to the record when only annotations and modifiers stand between them.
		if (start == -1 || end < start
				|| !before.substring(end + 2).strip().matches("(@\\w+(\\([^)]*\\))?\\s*|public\\s*|static\\s*)*")) {
			throw new IllegalStateException("No Javadoc on " + record.getName());
		}
		return Javadoc.parse(before.substring(start + 3, end));
	}

	/**
	 * The parts of a record's Javadoc the schema uses.
	 *
	 * @param summary the first paragraph of the description
	 * @param params the text of each {@code @param} tag, by component name
	 */
	private record Javadoc(@Nullable String summary, Map<String, String> params) {

		static Javadoc parse(String comment) {
			String text = comment.lines()
				.map((line) -> line.strip().replaceFirst("^\\*\\s?", ""))
				.collect(Collectors.joining("\n"));
			String[] blocks = text.split("\n(?=@)");
			String summary = clean(blocks[0].split("\n\\s*\n|<p>")[0]);
			Map<String, String> params = new LinkedHashMap<>();
			for (String block : blocks) {
				Matcher param = PARAM.matcher(block);
				if (param.matches()) {
					params.put(param.group(1), clean(param.group(2)));
				}
			}
			return new Javadoc(summary.isEmpty() ? null : summary, params);
		}

		private static String clean(String text) {
			return INLINE_TAG.matcher(text.strip().replaceAll("\\s+", " "))
				.replaceAll((tag) -> Matcher.quoteReplacement(tag.group(1)));
		}

	}

}
