package dev.amqpgateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;
import org.springframework.validation.BindingResult;
import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;
import org.springframework.validation.Validator;

/**
 * Checks of {@link GatewayProperties} that span fields or need more than a constraint annotation.
 * <p>
 * Boot's binder runs it as the {@code configurationPropertiesValidator} beside the constraint
 * annotations, into the same {@link Errors}, so that one startup failure names every wrong key of
 * both kinds. Each error's field is a path below {@code gateway}, such as
 * {@code endpoints[1].endpoint}.
 */
final class GatewayPropertiesValidator implements Validator {

	private static final String CODE = "invalid";

	private static final String PORT_RANGE = "must have a port between 1 and 65535";

	private static final Set<String> PRODUCER_METHODS = Set.of("POST", "PUT", "PATCH");

	private static final List<String> AGENT_METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

	/**
	 * The characters a health component name keeps as they are: an agent named with these only
	 * has its own name in {@code /actuator/health/agents/<name>}, and distinct names there.
	 */
	private static final Pattern AGENT_NAME = Pattern.compile("[A-Za-z0-9._~-]+");

	@Override
	public boolean supports(Class<?> type) {
		return GatewayProperties.class == type;
	}

	@Override
	public void validate(Object target, Errors errors) {
		GatewayProperties properties = (GatewayProperties) target;
		checkMaxMessageSize(errors, properties.maxMessageSize());
		checkMaxBodySize(errors, properties.maxBodySize());
		List<Endpoint> endpoints = (properties.endpoints() != null) ? properties.endpoints() : List.of();
		checkLeases(errors, properties, endpoints);
		Map<String, Integer> paths = new HashMap<>();
		for (int i = 0; i < endpoints.size(); i++) {
			Endpoint endpoint = endpoints.get(i);
			String field = "endpoints[" + i + "]";
			checkPath(errors, field + ".endpoint", endpoint.endpoint(), paths, i);
			List<Backend> backends = (endpoint.backend() != null) ? endpoint.backend() : List.of();
			boolean kindsKnown = checkKinds(errors, field, backends);
			if (kindsKnown) {
				checkMethod(errors, field + ".method", endpoint);
				checkOutputEncoding(errors, field + ".outputEncoding", endpoint);
			}
			checkAuth(errors, field + ".auth", endpoint.auth());
			checkRateLimit(errors, field + ".rateLimit", endpoint.rateLimit());
			for (int j = 0; j < backends.size(); j++) {
				Backend backend = backends.get(j);
				String backendField = field + ".backend[" + j + "]";
				checkHosts(errors, backendField + ".host", backend.host());
				checkTls(errors, backendField + ".tls", backend.tls());
				if (backend.amqp() != null && backend.amqp().consumer() != null) {
					Consumer consumer = backend.amqp().consumer();
					checkQuorum(errors, backendField + ".amqp.consumer", consumer.queueArguments(), consumer.durable(),
							consumer.delete(), consumer.exclusive());
				}
				if (backend.amqp() != null && backend.amqp().producer() != null) {
					checkProducer(errors, backendField + ".amqp.producer", backend.amqp().producer(),
							endpoint.endpoint());
				}
			}
		}
		checkCors(errors, "cors", properties.cors());
		List<AsyncAgent> agents = (properties.asyncAgents() != null) ? properties.asyncAgents() : List.of();
		Map<String, Integer> names = new HashMap<>();
		for (int i = 0; i < agents.size(); i++) {
			checkAgent(errors, "asyncAgents[" + i + "]", agents.get(i), names, i);
		}
	}

	// Binding that failed in part leaves nulls where keys were missing; those are reported already.
	private static void checkAgent(Errors errors, String field, AsyncAgent agent, Map<String, Integer> names,
			int index) {
		checkAgentName(errors, field + ".name", agent.name(), names, index);
		List<AsyncAgent.HttpBackend> backends = (agent.backend() != null) ? agent.backend() : List.of();
		for (int j = 0; j < backends.size(); j++) {
			AsyncAgent.HttpBackend backend = backends.get(j);
			String backendField = field + ".backend[" + j + "]";
			checkHosts(errors, backendField + ".host", backend.host(), UrlKind.HTTP);
			checkUrlPattern(errors, backendField + ".urlPattern", backend.urlPattern());
			checkAgentMethod(errors, backendField + ".method", backend.method());
		}
		AsyncAgent.Amqp amqp = agent.amqp();
		if (amqp != null) {
			checkHosts(errors, field + ".amqp.host", amqp.host());
			checkTls(errors, field + ".amqp.tls", amqp.tls());
			checkQuorum(errors, field + ".amqp", amqp.queueArguments(), amqp.durable(), amqp.delete(),
					amqp.exclusive());
		}
	}

	private static void checkAgentName(Errors errors, String field, @Nullable String name, Map<String, Integer> names,
			int index) {
		if (name == null || name.isBlank()) {
			return;
		}
		if (!AGENT_NAME.matcher(name).matches()) {
			reject(errors, field, name, "must use only letters, digits, '.', '_', '~' and '-': "
					+ "it is also the name of the agent's health component");
			return;
		}
		Integer previous = names.putIfAbsent(name, index);
		if (previous != null) {
			reject(errors, field, name,
					"is already the name of gateway.async_agents[" + previous + "]; each agent needs its own");
		}
	}

	private static void checkUrlPattern(Errors errors, String field, @Nullable String urlPattern) {
		if (urlPattern != null && !urlPattern.isBlank() && !urlPattern.startsWith("/")) {
			reject(errors, field, urlPattern, "must start with '/', as in /invoices");
		}
	}

	private static void checkAgentMethod(Errors errors, String field, @Nullable String method) {
		if (method != null && !AGENT_METHODS.contains(method.toUpperCase(Locale.ROOT))) {
			reject(errors, field, method, "must be GET, POST, PUT, PATCH or DELETE");
		}
	}

	private static void checkMaxMessageSize(Errors errors, @Nullable DataSize maxMessageSize) {
		if (maxMessageSize != null && (maxMessageSize.toBytes() < 1
				|| maxMessageSize.compareTo(GatewayProperties.LARGEST_BROKER_MESSAGE) > 0)) {
			reject(errors, "maxMessageSize", maxMessageSize,
					"must be between 1B and 512MB, the largest message RabbitMQ can be configured to accept");
		}
	}

	private static void checkPath(Errors errors, String field, @Nullable String path, Map<String, Integer> paths,
			int index) {
		if (path == null || path.isBlank()) {
			return;
		}
		if (!path.startsWith("/")) {
			reject(errors, field, path, "must start with '/', as in /orders");
			return;
		}
		Integer previous = paths.putIfAbsent(path, index);
		if (previous != null) {
			reject(errors, field, path,
					"is already the path of gateway.endpoints[" + previous + "]; each endpoint needs its own");
		}
	}

	/**
	 * Each backend is a consumer or a producer, and an endpoint's backends are all of one kind.
	 * @return whether the endpoint's kind is known, so that its method can be checked
	 */
	private static boolean checkKinds(Errors errors, String field, List<Backend> backends) {
		boolean known = true;
		Boolean producers = null;
		for (int j = 0; j < backends.size(); j++) {
			Backend.Amqp amqp = backends.get(j).amqp();
			if (amqp == null) {
				known = false;
				continue;
			}
			String amqpField = field + ".backend[" + j + "].amqp";
			if (amqp.consumer() != null && amqp.producer() != null) {
				reject(errors, amqpField, "consumer and producer",
						"must hold either consumer or producer settings: a backend consumes or publishes");
				known = false;
			}
			else if (amqp.consumer() == null && amqp.producer() == null) {
				reject(errors, amqpField, "neither", "needs consumer or producer settings");
				known = false;
			}
			else if (producers == null) {
				producers = amqp.producer() != null;
			}
			else if (producers != (amqp.producer() != null)) {
				reject(errors, field + ".backend", "consumer and producer backends",
						"must be all consumers or all producers: an endpoint answers with messages or publishes one");
				known = false;
			}
		}
		return known;
	}

	private static void checkMethod(Errors errors, String field, Endpoint endpoint) {
		String method = endpoint.method();
		if (method == null || endpoint.backend() == null) {
			return;
		}
		if (endpoint.isProducer()) {
			if (!PRODUCER_METHODS.contains(method.toUpperCase(Locale.ROOT))) {
				reject(errors, field, method, "must be POST, PUT or PATCH: an AMQP producer endpoint publishes the request's body");
			}
		}
		else if (!"GET".equalsIgnoreCase(method)) {
			reject(errors, field, method, "must be GET: an AMQP consumer endpoint answers GET only");
		}
	}

	// The raw body is one message's: several backends would have to be merged, a producer answers its own way.
	private static void checkOutputEncoding(Errors errors, String field, Endpoint endpoint) {
		if (endpoint.outputEncoding() != OutputEncoding.NO_OP || endpoint.backend() == null) {
			return;
		}
		if (endpoint.isProducer()) {
			reject(errors, field, "no-op", "must be json on a producer endpoint: no-op answers a consumed message's raw body");
		}
		else if (endpoint.backend().size() != 1) {
			reject(errors, field, "no-op", "needs exactly one backend: no-op answers one message's body as it is, "
					+ "which several backends cannot share");
		}
	}

	private static void checkAuth(Errors errors, String field, @Nullable Auth auth) {
		if (auth == null) {
			return;
		}
		String alg = auth.alg();
		if (alg != null && !Auth.ALGORITHMS.contains(alg)) {
			reject(errors, field + ".alg", alg, "EdDSA".equals(alg) ? "is not supported here; use RS256, PS256 or ES256"
					: "must be one of " + String.join(", ", Auth.ALGORITHMS));
		}
		boolean url = auth.jwkUrl() != null && !auth.jwkUrl().isBlank();
		boolean path = auth.jwkLocalPath() != null && !auth.jwkLocalPath().isBlank();
		if (url == path) {
			reject(errors, field + ".jwkUrl", url ? auth.jwkUrl() : "none",
					url ? "must not be set together with jwk_local_path; the key set comes from one of them"
							: "or jwk_local_path is required: where the keys that sign the tokens are");
			return;
		}
		if (alg != null && alg.startsWith("HS") && url) {
			reject(errors, field + ".alg", alg,
					"needs jwk_local_path: a key set that holds shared secrets is not fetched over the network");
		}
		if (url) {
			checkJwkUrl(errors, field, auth);
		}
		else if (auth.disableJwkSecurity()) {
			reject(errors, field + ".disableJwkSecurity", true, "must be false with jwk_local_path: nothing is fetched");
		}
	}

	// A key set fetched in the clear, or from a host whose certificate is not checked, lets whoever
	// sits on the path sign their own tokens; only a loopback address has no one on the path.
	private static void checkJwkUrl(Errors errors, String field, Auth auth) {
		URI uri;
		try {
			uri = new URI(auth.jwkUrl().trim());
		}
		catch (URISyntaxException ex) {
			reject(errors, field + ".jwkUrl", auth.jwkUrl(), "is not a valid URL: " + ex.getReason());
			return;
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
			reject(errors, field + ".jwkUrl", auth.jwkUrl(), "must be an https URL, such as https://idp.example.com/jwks.json");
			return;
		}
		boolean loopback = isLoopback(uri.getHost());
		if (auth.disableJwkSecurity() && !loopback) {
			reject(errors, field + ".disableJwkSecurity", true, "is refused unless jwk_url is on a loopback address "
					+ "(localhost, 127.0.0.1, ::1): keys fetched without TLS could be anyone's");
		}
		else if (scheme.equals("http") && !auth.disableJwkSecurity()) {
			reject(errors, field + ".jwkUrl", auth.jwkUrl(),
					"must be https; plain http only on a loopback address with disable_jwk_security: true");
		}
	}

	private static boolean isLoopback(String host) {
		String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
		return bare.equalsIgnoreCase("localhost") || bare.startsWith("127.") || bare.equals("::1")
				|| bare.equals("0:0:0:0:0:0:0:1");
	}

	private static void checkRateLimit(Errors errors, String field, @Nullable RateLimit rateLimit) {
		if (rateLimit == null) {
			return;
		}
		if (rateLimit.maxRate() == 0 && rateLimit.clientMaxRate() == 0) {
			reject(errors, field + ".maxRate", 0, "or client_max_rate must be above 0: a rate limit needs a rate");
		}
		if (rateLimit.strategy() == RateLimit.Strategy.HEADER && rateLimit.clientMaxRate() > 0
				&& (rateLimit.key() == null || rateLimit.key().isBlank())) {
			reject(errors, field + ".key", "none", "is required with strategy: header: the header that names the client");
		}
	}

	// A page of any origin that may send the user's cookies is what CORS exists to prevent.
	private static void checkCors(Errors errors, String field, @Nullable Cors cors) {
		if (cors != null && cors.allowCredentials() && cors.anyOrigin()) {
			reject(errors, field + ".allowCredentials", true,
					"needs allow_origins to name the origins: credentials are never allowed from any origin");
		}
	}

	// A receipt nobody can verify is no receipt; one anybody can sign is no protection.
	private static void checkLeases(Errors errors, GatewayProperties properties, List<Endpoint> endpoints) {
		LeaseSettings lease = properties.lease();
		for (int i = 0; i < endpoints.size(); i++) {
			Endpoint endpoint = endpoints.get(i);
			if (endpoint.ackMode() != AckMode.LEASE || endpoint.backend() == null) {
				continue;
			}
			if (endpoint.isProducer()) {
				reject(errors, "endpoints[" + i + "].ackMode", "lease", "must be on-write on a producer endpoint: only consumed messages are leased");
			}
			for (int j = 0; j < endpoint.backend().size(); j++) {
				Backend backend = endpoint.backend().get(j);
				if (backend.amqp() != null && backend.amqp().consumer() != null && backend.amqp().consumer().autoAck()) {
					reject(errors, "endpoints[" + i + "].backend[" + j + "].amqp.consumer.autoAck", true,
							"must be false with ack_mode lease: the broker forgets an auto-acknowledged message at once");
				}
			}
		}
		boolean leasing = endpoints.stream().anyMatch((endpoint) -> endpoint.ackMode() == AckMode.LEASE);
		if (lease == null) {
			return;
		}
		if (leasing && (lease.secret() == null || lease.secret().isBlank())) {
			reject(errors, "lease.secret", "",
					"is required when an endpoint has ack_mode lease: it signs the receipts (32 random characters or more)");
		}
		else if (lease.secret() != null && !lease.secret().isBlank() && lease.secret().length() < 32) {
			reject(errors, "lease.secret", "******", "must be at least 32 characters: it signs the receipts");
		}
	}

	private static void checkMaxBodySize(Errors errors, @Nullable DataSize maxBodySize) {
		if (maxBodySize != null && (maxBodySize.toBytes() < 1
				|| maxBodySize.compareTo(GatewayProperties.LARGEST_BROKER_MESSAGE) > 0)) {
			reject(errors, "maxBodySize", maxBodySize,
					"must be between 1B and 512MB, the largest message RabbitMQ can be configured to accept");
		}
	}

	private static void checkProducer(Errors errors, String field, Producer producer, @Nullable String path) {
		if (producer.immediate()) {
			reject(errors, field + ".immediate", true,
					"must be false: RabbitMQ does not implement immediate and closes the connection on it (540 NOT_IMPLEMENTED)");
		}
		List<String> parameters = PathParameters.of(path);
		checkParameter(errors, field + ".expKey", producer.expKey(), parameters);
		checkParameter(errors, field + ".replyToKey", producer.replyToKey(), parameters);
		checkParameter(errors, field + ".msgIdKey", producer.msgIdKey(), parameters);
		checkParameter(errors, field + ".priorityKey", producer.priorityKey(), parameters);
	}

	private static void checkParameter(Errors errors, String field, @Nullable String key, List<String> parameters) {
		if (key == null || key.isEmpty() || PathParameters.find(key, parameters) != null) {
			return;
		}
		reject(errors, field, key, parameters.isEmpty() ? "names no parameter: the endpoint's path has none"
				: "names no parameter of the endpoint's path (" + String.join(", ", parameters) + ")");
	}

	// The broker refuses such a declaration; saying so at startup beats a conflict on health.
	private static void checkQuorum(Errors errors, String field, @Nullable Map<String, Object> queueArguments,
			boolean durable, boolean delete, boolean exclusive) {
		if (queueArguments == null || !"quorum".equals(String.valueOf(queueArguments.get("x-queue-type")))) {
			return;
		}
		if (!durable) {
			reject(errors, field + ".durable", false, "must be true for a quorum queue (x-queue-type: quorum)");
		}
		if (delete) {
			reject(errors, field + ".delete", true, "must be false for a quorum queue (x-queue-type: quorum)");
		}
		if (exclusive) {
			reject(errors, field + ".exclusive", true, "must be false for a quorum queue (x-queue-type: quorum)");
		}
	}

	// Which of the two would win is no question an operator should have to answer.
	private static void checkTls(Errors errors, String field, @Nullable Tls tls) {
		if (tls == null || tls.bundle() == null || tls.storeKeys().isEmpty()) {
			return;
		}
		String stores = tls.storeKeys().stream().map((store) -> "tls." + store).collect(Collectors.joining(", "));
		reject(errors, field + ".bundle", tls.bundle(),
				"must not be set together with " + stores + "; the bundle holds the trust and key material");
	}

	private static void checkHosts(Errors errors, String field, @Nullable List<String> hosts) {
		checkHosts(errors, field, hosts, UrlKind.BROKER);
	}

	private static void checkHosts(Errors errors, String field, @Nullable List<String> hosts, UrlKind kind) {
		if (hosts == null) {
			return;
		}
		for (int i = 0; i < hosts.size(); i++) {
			String reason = problemOf(hosts.get(i), kind);
			if (reason != null) {
				reject(errors, field + "[" + i + "]", masked(hosts.get(i)), reason);
			}
		}
	}

	private static @Nullable String problemOf(@Nullable String host, UrlKind kind) {
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
		if (scheme == null || !kind.prefixes.contains(scheme.toLowerCase(Locale.ROOT) + "://")) {
			return "must start with " + String.join(" or ", kind.prefixes);
		}
		if (uri.getHost() == null) {
			return (uri.getRawAuthority() != null) ? problemOfAuthority(uri.getRawAuthority())
					: "must name a host, as in " + kind.example;
		}
		if (uri.getPort() == 0 || uri.getPort() > 65535) {
			return PORT_RANGE;
		}
		// An agent's request goes to the host followed by url_pattern.
		return (kind == UrlKind.HTTP && (uri.getRawQuery() != null || uri.getRawFragment() != null))
				? "must have no query or fragment: url_pattern is appended to it" : null;
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
	 * What a host list holds: the broker URLs of a backend or an agent's queue, or the base URLs
	 * of an agent's HTTP backend.
	 */
	private enum UrlKind {

		BROKER(List.of("amqp://", "amqps://"), "amqp://user:pass@host:5672/vhost"),

		HTTP(List.of("http://", "https://"), "http://billing:8080");

		private final List<String> prefixes;

		private final String example;

		UrlKind(List<String> prefixes, String example) {
			this.prefixes = prefixes;
			this.example = example;
		}

	}

	/**
	 * Records an error on the given field with the value to show, rather than the bound one
	 * {@link Errors#rejectValue} would look up: a host with its password masked, or a default
	 * that was never bound.
	 */
	private static void reject(Errors errors, String field, Object value, String reason) {
		if (errors instanceof BindingResult result) {
			result.addError(new FieldError(errors.getObjectName(), field, value, false,
					result.resolveMessageCodes(CODE, field), null, reason));
		}
		else {
			errors.rejectValue(field, CODE, reason);
		}
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
