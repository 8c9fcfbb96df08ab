package dev.amqpgateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * Reports a {@code gateway.*} configuration the service refuses as one entry per wrong key: the
 * key in the README's snake_case spelling, its value (never a password), where it was set, and
 * what is wrong with it in words rather than exception class names. Entries are sorted by key,
 * list indexes in numeric order, so that the same configuration always prints the same report.
 * Most such keys are refused while binding; a few only when the beans that use them are made (an
 * unknown SSL bundle name).
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class GatewayConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<RuntimeException> {

	private static final ConfigurationPropertyName GATEWAY = ConfigurationPropertyName.of("gateway");

	private static final Pattern OTHER_ENDPOINT = Pattern.compile("(gateway\\.endpoints\\[\\d+\\])");

	private final @Nullable Environment environment;

	GatewayConfigurationFailureAnalyzer(@Nullable Environment environment) {
		this.environment = environment;
	}

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, RuntimeException cause) {
		BindException bind = findCause(rootFailure, BindException.class);
		if (bind != null) {
			return isGateway(bind.getName()) ? analysis(problemsOf(bind), bind) : null;
		}
		InvalidConfigurationPropertyValueException invalid = findCause(rootFailure,
				InvalidConfigurationPropertyValueException.class);
		if (invalid != null && isGateway(ConfigurationPropertyName.ofIfValid(invalid.getName()))) {
			return analysis(List.of(problemOf(invalid)), invalid);
		}
		return null;
	}

	private static boolean isGateway(@Nullable ConfigurationPropertyName name) {
		return name != null && (GATEWAY.equals(name) || GATEWAY.isAncestorOf(name));
	}

	private @Nullable FailureAnalysis analysis(List<Problem> problems, Throwable cause) {
		if (problems.isEmpty()) {
			return null;
		}
		String description = problems.stream()
			.sorted(Comparator.comparing((Problem problem) -> ConfigurationPropertyName.adapt(problem.key(), '.'))
				.thenComparing(Problem::key)
				.thenComparing((problem) -> String.valueOf(problem.reason())))
			.map(Problem::describe)
			.collect(Collectors.joining("", String.format("Invalid gateway configuration:%n"), ""));
		return new FailureAnalysis(description,
				"Update your application's configuration; docs/configuration.md lists every gateway key and its accepted values.",
				cause);
	}

	private Problem problemOf(InvalidConfigurationPropertyValueException invalid) {
		return problem(ConfigurationPropertyName.of(invalid.getName()), invalid.getName(), invalid.getValue(),
				invalid.getReason());
	}

	private List<Problem> problemsOf(BindException cause) {
		List<Problem> problems = new ArrayList<>();
		InvalidConfigurationPropertyValueException invalid = findCause(cause,
				InvalidConfigurationPropertyValueException.class);
		if (invalid != null) {
			problems.add(problemOf(invalid));
		}
		UnboundConfigurationPropertiesException unknown = findCause(cause,
				UnboundConfigurationPropertiesException.class);
		if (unknown != null) {
			unknown.getUnboundProperties().stream().map(this::unknownKey).forEach(problems::add);
		}
		BindValidationException violations = findCause(cause, BindValidationException.class);
		if (violations == null && unknown != null) {
			violations = suppressed(unknown, BindValidationException.class);
		}
		if (violations != null) {
			violations.getValidationErrors().getAllErrors().stream().map(this::violation).forEach(problems::add);
		}
		ConversionFailedException conversion = findCause(cause, ConversionFailedException.class);
		ConfigurationProperty property = cause.getProperty();
		if (problems.isEmpty() && conversion != null && property != null) {
			problems.add(problem(property.getName(), property.getName().toString(), property.getValue(),
					expected(conversion.getTargetType().getType())));
		}
		return problems;
	}

	private static <E extends Throwable> @Nullable E suppressed(Throwable failure, Class<E> type) {
		return Arrays.stream(failure.getSuppressed()).filter(type::isInstance).map(type::cast).findFirst().orElse(null);
	}

	private Problem unknownKey(ConfigurationProperty property) {
		return new Problem(asWritten(property.getName()), null, property.getOrigin(),
				"not a known key; check its spelling and its place in the tree");
	}

	private Problem violation(ObjectError error) {
		if (error instanceof FieldError field) {
			String key = error.getObjectName() + "." + field.getField();
			return problem(ConfigurationPropertyName.adapt(key, '.'), key, field.getRejectedValue(),
					error.getDefaultMessage());
		}
		return new Problem(error.getObjectName(), null, null, error.getDefaultMessage());
	}

	private Problem problem(ConfigurationPropertyName name, String key, @Nullable Object value,
			@Nullable String reason) {
		ConfigurationProperty configured = configured(name);
		Object shown = (configured != null) ? configured.getValue() : value;
		String displayed = (shown != null) ? GatewayPropertiesValidator.masked(shown.toString()) : null;
		return new Problem(snakeCase(key), displayed, (configured != null) ? configured.getOrigin() : null,
				withOriginsOfKeys(reason));
	}

	/**
	 * A reason that names another key, such as the endpoint that already has a path, also says where
	 * that key was set, so that both places of a clash are named.
	 */
	private @Nullable String withOriginsOfKeys(@Nullable String reason) {
		if (reason == null) {
			return null;
		}
		Matcher matcher = OTHER_ENDPOINT.matcher(reason);
		if (!matcher.find()) {
			return reason;
		}
		ConfigurationProperty other = configured(ConfigurationPropertyName.of(matcher.group(1) + ".endpoint"));
		return (other != null && other.getOrigin() != null) ? reason + " (set in " + other.getOrigin() + ")" : reason;
	}

	private @Nullable ConfigurationProperty configured(ConfigurationPropertyName name) {
		if (!(this.environment instanceof ConfigurableEnvironment)) {
			return null;
		}
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			ConfigurationProperty property = source.getConfigurationProperty(name);
			if (property != null) {
				return property;
			}
		}
		return null;
	}

	private static String expected(Class<?> type) {
		if (type.isEnum()) {
			return "must be one of " + Arrays.stream(type.getEnumConstants())
				.map((constant) -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
				.collect(Collectors.joining(", "));
		}
		if (type == boolean.class || type == Boolean.class) {
			return "must be true or false";
		}
		if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
			return "must be a whole number";
		}
		if (type == Duration.class) {
			return "must be a duration such as 500ms, 2s or 1m";
		}
		return "cannot be read as " + type.getSimpleName();
	}

	/**
	 * The key as the README spells it: {@code prefetchCount} and {@code prefetch-count} both
	 * become {@code prefetch_count}; map keys in brackets stay as they are.
	 */
	static String snakeCase(String key) {
		StringBuilder snake = new StringBuilder(key.length() + 8);
		boolean inBrackets = false;
		for (char c : key.toCharArray()) {
			inBrackets = (c == '[') || (inBrackets && c != ']');
			if (inBrackets) {
				snake.append(c);
			}
			else if (c == '-') {
				snake.append('_');
			}
			else if (Character.isUpperCase(c)) {
				snake.append('_').append(Character.toLowerCase(c));
			}
			else {
				snake.append(c);
			}
		}
		return snake.toString();
	}

	private static String asWritten(ConfigurationPropertyName name) {
		StringBuilder key = new StringBuilder();
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			String element = name.getElement(i, Form.ORIGINAL);
			key.append(name.isNumericIndex(i) ? "[" + element + "]" : ((i > 0) ? "." : "") + element);
		}
		return key.toString();
	}

	private record Problem(String key, @Nullable String value, @Nullable Origin origin, @Nullable String reason) {

		String describe() {
			StringBuilder text = new StringBuilder(String.format("%n    Property: %s", this.key));
			if (this.value != null) {
				text.append(String.format("%n    Value: \"%s\"", this.value));
			}
			if (this.origin != null) {
				text.append(String.format("%n    Origin: %s", this.origin));
			}
			return text.append(String.format("%n    Reason: %s%n", this.reason)).toString();
		}

	}

}
