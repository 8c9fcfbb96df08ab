package dev.amqpgateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Checks of {@link GatewayProperties} that span fields or need more than a constraint annotation.
 */
final class GatewayPropertiesValidator {

	private static final String PORT_RANGE = "must have a port between 1 and 65535";

	private GatewayPropertiesValidator() {
	}

	static void validateMaxMessageSize(@Nullable DataSize maxMessageSize) {
		if (maxMessageSize != null && (maxMessageSize.toBytes() < 1
				|| maxMessageSize.compareTo(GatewayProperties.LARGEST_BROKER_MESSAGE) > 0)) {
			throw new InvalidConfigurationPropertyValueException("gateway.max-message-size", maxMessageSize,
					"must be between 1B and 512MB, the largest message RabbitMQ can be configured to accept");
		}
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
				checkQuorum(key + ".backend[" + j + "].amqp.consumer", backends.get(j));
				checkTls(key + ".backend[" + j + "].tls", backends.get(j).tls());
			}
		}
	}

	private static void checkPath(String key, @Nullable String path, Map<String, Integer> paths, int index) {
		if (path == null || path.isBlank()) {
			return;
		}
		if (!path.startsWith("/")) {
			throw new InvalidConfigurationPropertyValueException(key, path, "must start with '/', as in /orders");
		}
		Integer previous = paths.putIfAbsent(path, index);
		if (previous != null) {
			throw new InvalidConfigurationPropertyValueException(key, path,
					"is already the path of gateway.endpoints[" + previous + "]; each endpoint needs its own");
		}
	}

	private static void checkMethod(String key, @Nullable String method) {
		if (method != null && !"GET".equalsIgnoreCase(method)) {
			throw new InvalidConfigurationPropertyValueException(key, method,
					"must be GET: an AMQP consumer endpoint answers GET only");
		}
	}

	// The broker refuses such a declaration; saying so at startup beats a conflict on health.
	private static void checkQuorum(String key, Backend backend) {
		Consumer consumer = (backend.amqp() != null) ? backend.amqp().consumer() : null;
		if (consumer == null || consumer.queueArguments() == null
				|| !"quorum".equals(String.valueOf(consumer.queueArguments().get("x-queue-type")))) {
			return;
		}
		if (!consumer.durable()) {
			throw new InvalidConfigurationPropertyValueException(key + ".durable", false,
					"must be true for a quorum queue (x-queue-type: quorum)");
		}
		if (consumer.delete()) {
			throw new InvalidConfigurationPropertyValueException(key + ".delete", true,
					"must be false for a quorum queue (x-queue-type: quorum)");
		}
		if (consumer.exclusive()) {
			throw new InvalidConfigurationPropertyValueException(key + ".exclusive", true,
					"must be false for a quorum queue (x-queue-type: quorum)");
		}
	}

	// Which of the two would win is no question an operator should have to answer.
	private static void checkTls(String key, @Nullable Tls tls) {
		if (tls == null || tls.bundle() == null || tls.storeKeys().isEmpty()) {
			return;
		}
		String stores = tls.storeKeys().stream().map((store) -> "tls." + store).collect(Collectors.joining(", "));
		throw new InvalidConfigurationPropertyValueException(key + ".bundle", tls.bundle(),
				"must not be set together with " + stores + "; the bundle holds the trust and key material");
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
			return "must not be empty";
		}
		URI uri;
		try {
			uri = new URI(host.trim());
		}
		catch (URISyntaxException ex) {
			return "is not a valid URL: " + ex.getReason();
		}
		String scheme = uri.getScheme();
		if (!"amqp".equalsIgnoreCase(scheme) && !"amqps".equalsIgnoreCase(scheme)) {
			return "must start with amqp:// or amqps://";
		}
		if (uri.getHost() == null) {
			return (uri.getRawAuthority() != null) ? problemOfAuthority(uri.getRawAuthority())
					: "must name a host, as in amqp://user:pass@host:5672/vhost";
		}
		return (uri.getPort() == 0 || uri.getPort() > 65535) ? PORT_RANGE : null;
	}

	// java.net.URI leaves the host unset, rather than failing, when it cannot read the authority.
	private static String problemOfAuthority(String authority) {
		String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
		int colon = hostAndPort.lastIndexOf(':');
		String port = (colon != -1) ? hostAndPort.substring(colon + 1) : "";
		boolean validPort = port.isEmpty() || (port.matches("\\d{1,5}") && Integer.parseInt(port) <= 65535);
		return validPort ? "has no valid host name: use letters, digits, '-' and '.' only" : PORT_RANGE;
	}

	/**
	 * The URL with any password replaced, so that it can appear in a message; everything up to the
	 * last '@' counts as the password, so that one with an unencoded '/' or '@' is masked too.
	 * @param url a broker URL as configured
	 * @return the URL without its password
	 */
	static String masked(@Nullable String url) {
		return (url != null) ? url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:@/]*):.*@", "$1:******@") : "";
	}

}
