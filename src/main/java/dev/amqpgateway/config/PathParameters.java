package dev.amqpgateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The {@code {name}} parameters of an endpoint path, and how a producer key names one: as
 * written, or with its first letter upper-cased, as KrakenD refers to them ({@code Route} for
 * {@code {route}}).
 */
public final class PathParameters {

	private static final Pattern PARAMETER = Pattern.compile("\\{\\*?([^}:/]+)(?::[^}]*)?}");

	private PathParameters() {
	}

	/**
	 * The parameters of a path.
	 * @param path an endpoint path, such as {@code /produce/{a}/{b}}
	 * @return the parameter names in order, such as {@code [a, b]}
	 */
	public static List<String> of(@Nullable String path) {
		List<String> names = new ArrayList<>();
		if (path != null) {
			Matcher matcher = PARAMETER.matcher(path);
			while (matcher.find()) {
				names.add(matcher.group(1));
			}
		}
		return names;
	}

	/**
	 * The parameter a producer key names.
	 * @param key the key's value, such as {@code Route} or {@code route}
	 * @param parameters the parameters of the endpoint's path
	 * @return the parameter's name as in the path, or null when the key names none
	 */
	public static @Nullable String find(String key, List<String> parameters) {
		for (String parameter : parameters) {
			if (parameter.equals(key) || capitalized(parameter).equals(key)) {
				return parameter;
			}
		}
		return null;
	}

	private static String capitalized(String name) {
		return name.isEmpty() ? name : name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
	}

}
