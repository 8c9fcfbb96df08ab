package dev.amqpgateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Checks of {@link GatewayProperties} that span fields or need more than a constraint annotation.
 */
final class GatewayPropertiesValidator {

	private GatewayPropertiesValidator() {
	}

	static void validate(@Nullable List<Endpoint> endpoints) {
		if (endpoints == null) {
			return;
		}
		Map<String, Integer> paths = new HashMap<>();
		for (int i = 0; i < endpoints.size(); i++) {
			Endpoint endpoint = endpoints.get(i);
			String key = "gateway.endpoints[" + i + "]";
			checkPath(key + ".endpoint", endpoint.endpoint(), paths, i);
			checkMethod(key + ".method", endpoint.method());
			List<Backend> backends = (endpoint.backend() != null) ? endpoint.backend() : List.of();
			for (int j = 0; j < backends.size(); j++) {
				checkHosts(key + ".backend[" + j + "].host", backends.get(j).host());
			}
		}
	}

	private static void checkPath(String key, @Nullable String path, Map<String, Integer> paths, int index) {
		if (path == null || path.isBlank()) {
			return;
		}
		if (!path.startsWith("/")) {
			throw new InvalidConfigurationPropertyValueException(key, path, "An endpoint path must start with '/'.");
		}
		Integer previous = paths.putIfAbsent(path, index);
		if (previous != null) {
			throw new InvalidConfigurationPropertyValueException(key, path,
					"The path is already used by gateway.endpoints[" + previous + "]; every endpoint needs its own.");
		}
	}

	private static void checkMethod(String key, @Nullable String method) {
		if (method != null && !"GET".equalsIgnoreCase(method)) {
			throw new InvalidConfigurationPropertyValueException(key, method,
					"An AMQP consumer endpoint answers GET only.");
		}
	}

	private static void checkHosts(String key, @Nullable List<String> hosts) {
		if (hosts == null) {
			return;
		}
		for (int i = 0; i < hosts.size(); i++) {
			String reason = problemOf(hosts.get(i));
			if (reason != null) {
				throw new InvalidConfigurationPropertyValueException(key + "[" + i + "]", masked(hosts.get(i)), reason);
			}
		}
	}

	private static @Nullable String problemOf(@Nullable String host) {
		if (host == null || host.isBlank()) {
			return "A broker URL must not be empty.";
		}
		URI uri;
		try {
			uri = new URI(host.trim());
		}
		catch (URISyntaxException ex) {
			return "Not a valid URL: " + ex.getReason() + ".";
		}
		String scheme = uri.getScheme();
		if (!"amqp".equalsIgnoreCase(scheme) && !"amqps".equalsIgnoreCase(scheme)) {
			return "A broker URL must start with amqp:// or amqps://.";
		}
		if (uri.getHost() == null) {
			return "A broker URL must name a host, as in amqp://user:pass@host:5672/vhost.";
		}
		if (uri.getPort() == 0 || uri.getPort() > 65535) {
			return "The port must be between 1 and 65535.";
		}
		return null;
	}

	/**
	 * The URL with any password replaced, so that it can appear in a message.
	 * @param url a broker URL as configured
	 * @return the URL without its password
	 */
	static String masked(@Nullable String url) {
		return (url != null) ? url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:@/]*):[^@/]*@", "$1:******@") : "";
	}

}
