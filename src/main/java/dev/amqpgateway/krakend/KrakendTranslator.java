package dev.amqpgateway.krakend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.amqpgateway.config.AsyncAgent;
import dev.amqpgateway.config.Auth;
import dev.amqpgateway.config.Consumer;
import dev.amqpgateway.config.Cors;
import dev.amqpgateway.config.Producer;
import dev.amqpgateway.config.RateLimit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.origin.OriginTrackedValue;

/**
 * Turns a KrakenD file into {@code gateway.*} properties: each AMQP endpoint and async agent it
 * holds becomes an element of {@code gateway.endpoints} or {@code gateway.async_agents}, each value
 * tracked to its JSON path and line. What it does not run is listed ({@link #skipped()}); what it
 * refuses to run ({@link #refused()}) stops startup: a version other than 3, a value it cannot read,
 * and every security or traffic namespace it does not enforce — an endpoint is never served
 * without a protection its file asks for. It enforces an endpoint's {@code auth/validator} and
 * {@code qos/ratelimit/router} and the service's {@code security/cors}.
 */
final class KrakendTranslator {

	static final String CONSUMER = "backend/amqp/consumer";

	static final String PRODUCER = "backend/amqp/producer";

	static final String LEGACY_CONSUMER = "github.com/devopsfaith/krakend-amqp/consume";

	static final String LEGACY_PRODUCER = "github.com/devopsfaith/krakend-amqp/produce";

	static final String ASYNC_AMQP = "async/amqp";

	static final String AUTH_VALIDATOR = "auth/validator";

	static final String RATE_LIMIT = "qos/ratelimit/router";

	static final String CORS = "security/cors";

	/**
	 * Keys of {@code auth/validator} that are listed and not run: each either changes nothing about
	 * which tokens are accepted, or, left out, only refuses more (a token looked for in a cookie or
	 * another header is not found, a key set behind another CA is not fetched). Any other key the
	 * gateway does not know stops startup.
	 */
	private static final Set<String> AUTH_KEYS_IGNORED = Set.of("operation_debug", "propagate_claims",
			"roles_key_is_nested", "cookie_key", "auth_header_name", "key_identify_strategy", "cipher_suites",
			"jwk_local_ca");

	/** Keys of {@code qos/ratelimit/router} that only tune KrakenD's own storage. */
	private static final Set<String> RATE_LIMIT_KEYS_IGNORED = Set.of("num_shards", "cleanup_period",
			"cleanup_threshold");

	private static final Set<String> ROOT_KEYS = Set.of("$schema", "version", "name", "timeout", "host", "endpoints",
			"async_agent", "extra_config");

	private static final Set<String> ENDPOINT_KEYS = Set.of("endpoint", "method", "timeout", "output_encoding",
			"input_headers", "backend", "extra_config");

	// url_pattern and method say nothing to an AMQP backend; KrakenD requires the first anyway.
	private static final Set<String> BACKEND_KEYS = Set.of("host", "url_pattern", "method", "encoding",
			"is_collection", "group", "disable_host_sanitize", "extra_config");

	private static final Set<String> AGENT_KEYS = Set.of("name", "connection", "consumer", "backend", "extra_config");

	private static final Set<String> AGENT_BACKEND_KEYS = Set.of("host", "url_pattern", "method", "encoding");

	/** Words in a namespace that say it protects something: such a namespace is never skipped. */
	private static final List<String> PROTECTIONS = List.of("auth", "jose", "security", "cors", "ratelimit",
			"policies", "signer", "api-keys", "basic", "ip-filter", "bot-detector");

	private final KrakendDocument document;

	private final Map<String, Object> properties = new LinkedHashMap<>();

	private final List<String> skipped = new ArrayList<>();

	private final List<String> refused = new ArrayList<>();

	private @Nullable JsonNode rootHost;

	private @Nullable Duration rootTimeout;

	private int endpoints;

	private int agents;

	KrakendTranslator(KrakendDocument document) {
		this.document = document;
	}

	/**
	 * Translate the document.
	 * @param endpointOffset index of the first endpoint the file adds to {@code gateway.endpoints}
	 * @param agentOffset index of the first agent the file adds to {@code gateway.async_agents}
	 * @return this translator, to read its results
	 */
	KrakendTranslator translate(int endpointOffset, int agentOffset) {
		JsonNode root = this.document.root();
		JsonPath path = JsonPath.ROOT;
		JsonNode version = root.get("version");
		if (version == null || !version.isNumber() || version.asInt() != 3) {
			this.refused.add(path.field("version") + ": must be 3; this gateway runs KrakenD v3 configurations (found "
					+ ((version != null) ? version : "none") + ")");
			return this;
		}
		this.rootHost = root.get("host");
		JsonNode timeout = root.get("timeout");
		if (timeout != null) {
			this.rootTimeout = duration(timeout, path.field("timeout"));
		}
		unknownKeys(root, path, ROOT_KEYS, "");
		JsonNode rootExtra = root.get("extra_config");
		for (String namespace : names(rootExtra)) {
			JsonPath namespacePath = path.field("extra_config").field(namespace);
			if (namespace.equals(CORS)) {
				settings(rootExtra.get(namespace), namespacePath, "gateway.cors.", keysOf(Cors.class), "CORS settings");
			}
			else {
				namespace(namespace, rootExtra.get(namespace), namespacePath, "the service");
			}
		}
		int endpoint = endpointOffset;
		JsonNode endpoints = root.get("endpoints");
		for (int i = 0; endpoints != null && i < endpoints.size(); i++) {
			if (endpoint(endpoints.get(i), path.field("endpoints").index(i), endpoint)) {
				endpoint++;
				this.endpoints++;
			}
		}
		int agent = agentOffset;
		JsonNode agents = root.get("async_agent");
		for (int i = 0; agents != null && i < agents.size(); i++) {
			if (agent(agents.get(i), path.field("async_agent").index(i), agent)) {
				agent++;
				this.agents++;
			}
		}
		return this;
	}

	/** The properties, by name, each value an {@link OriginTrackedValue}. */
	Map<String, Object> properties() {
		return this.properties;
	}

	/** The endpoints the file adds. */
	int endpoints() {
		return this.endpoints;
	}

	/** The async agents the file adds. */
	int agents() {
		return this.agents;
	}

	/** One line per thing the file holds that the gateway does not run. */
	List<String> skipped() {
		return this.skipped;
	}

	/** One line per thing that stops startup. */
	List<String> refused() {
		return this.refused;
	}

	private boolean endpoint(JsonNode node, JsonPath path, int index) {
		String name = text(node.get("endpoint"), "(no path)");
		if (!protectionsKnown(node.get("extra_config"), path.field("extra_config"), "endpoint " + name)) {
			return false;
		}
		List<Integer> amqp = new ArrayList<>();
		JsonNode backends = node.get("backend");
		for (int j = 0; backends != null && j < backends.size(); j++) {
			JsonPath backendPath = path.field("backend").index(j);
			JsonNode extra = backends.get(j).get("extra_config");
			if (amqpNamespace(extra) != null) {
				amqp.add(j);
			}
			else {
				this.skipped.add(backendPath + ": an HTTP backend of endpoint " + name
						+ "; only AMQP backends run here");
				protectionsKnown(extra, backendPath.field("extra_config"), "endpoint " + name);
			}
		}
		if (amqp.isEmpty()) {
			this.skipped.add(path + ": endpoint " + name + " has no AMQP backend and is not served");
			return false;
		}
		String prefix = "gateway.endpoints[" + index + "].";
		unknownKeys(node, path, ENDPOINT_KEYS, "of endpoint " + name);
		put(prefix + "endpoint", node.get("endpoint"), path.field("endpoint"));
		put(prefix + "method", node.get("method"), path.field("method"));
		put(prefix + "input-headers", node.get("input_headers"), path.field("input_headers"));
		JsonNode timeout = node.get("timeout");
		if (timeout != null) {
			putDuration(prefix + "timeout", timeout, path.field("timeout"));
		}
		else if (this.rootTimeout != null) {
			this.properties.put(prefix + "timeout",
					OriginTrackedValue.of(this.rootTimeout, this.document.origin(JsonPath.ROOT.field("timeout"))));
		}
		JsonNode encoding = node.get("output_encoding");
		if (encoding != null && ("json".equals(encoding.asString()) || "no-op".equals(encoding.asString()))) {
			put(prefix + "output-encoding", encoding, path.field("output_encoding"));
		}
		else if (encoding != null) {
			this.skipped.add(path.field("output_encoding") + ": " + encoding.asString() + " is not run; endpoint "
					+ name + " answers JSON");
		}
		JsonNode extra = node.get("extra_config");
		for (String namespace : names(extra)) {
			JsonPath namespacePath = path.field("extra_config").field(namespace);
			switch (namespace) {
				case AUTH_VALIDATOR -> protection(extra.get(namespace), namespacePath, prefix + "auth.",
						keysOf(Auth.class), AUTH_KEYS_IGNORED, "auth/validator of endpoint " + name);
				case RATE_LIMIT -> protection(extra.get(namespace), namespacePath, prefix + "rate-limit.",
						keysOf(RateLimit.class), RATE_LIMIT_KEYS_IGNORED, "rate limit of endpoint " + name);
				default -> namespace(namespace, extra.get(namespace), namespacePath, "endpoint " + name);
			}
		}
		for (int j = 0; j < amqp.size(); j++) {
			backend(backends.get(amqp.get(j)), path.field("backend").index(amqp.get(j)),
					prefix + "backend[" + j + "].", name);
		}
		return true;
	}

	private void backend(JsonNode node, JsonPath path, String prefix, String endpoint) {
		unknownKeys(node, path, BACKEND_KEYS, "of a backend of endpoint " + endpoint);
		JsonNode host = node.get("host");
		if (host != null) {
			put(prefix + "host", host, path.field("host"));
		}
		else if (this.rootHost != null) {
			put(prefix + "host", this.rootHost, JsonPath.ROOT.field("host"));
		}
		else {
			this.refused.add(path + ": a backend of endpoint " + endpoint
					+ " has no host, and the file has no root host: name the broker, such as [\"amqp://guest:guest@localhost:5672\"]");
		}
		for (String key : List.of("encoding", "is_collection", "group", "disable_host_sanitize")) {
			put(prefix + kebab(key), node.get(key), path.field(key));
		}
		JsonNode extra = node.get("extra_config");
		JsonPath extraPath = path.field("extra_config");
		for (String namespace : names(extra)) {
			JsonPath namespacePath = extraPath.field(namespace);
			JsonNode settings = extra.get(namespace);
			switch (namespace) {
				case CONSUMER, LEGACY_CONSUMER -> settings(settings, namespacePath, prefix + "amqp.consumer.",
						keysOf(Consumer.class), "consumer of endpoint " + endpoint);
				case PRODUCER, LEGACY_PRODUCER -> settings(settings, namespacePath, prefix + "amqp.producer.",
						keysOf(Producer.class), "producer of endpoint " + endpoint);
				default -> namespace(namespace, settings, namespacePath, "endpoint " + endpoint);
			}
		}
	}

	private boolean agent(JsonNode node, JsonPath path, int index) {
		String name = text(node.get("name"), "(no name)");
		JsonNode extra = node.get("extra_config");
		if (extra == null || !extra.has(ASYNC_AMQP)) {
			this.skipped.add(path + ": async agent " + name + " has no " + ASYNC_AMQP + " driver and is not run");
			return false;
		}
		String prefix = "gateway.async-agents[" + index + "].";
		unknownKeys(node, path, AGENT_KEYS, "of async agent " + name);
		put(prefix + "name", node.get("name"), path.field("name"));
		JsonNode connection = node.get("connection");
		if (connection != null) {
			settings(connection, path.field("connection"), prefix + "connection.", keysOf(AsyncAgent.Connection.class),
					"connection of async agent " + name);
		}
		JsonNode consumer = node.get("consumer");
		if (consumer != null) {
			settings(consumer, path.field("consumer"), prefix + "consumer.", keysOf(AsyncAgent.AgentConsumer.class),
					"consumer of async agent " + name);
		}
		JsonNode backends = node.get("backend");
		for (int j = 0; backends != null && j < backends.size(); j++) {
			JsonNode backend = backends.get(j);
			JsonPath backendPath = path.field("backend").index(j);
			String backendPrefix = prefix + "backend[" + j + "].";
			unknownKeys(backend, backendPath, Set.of("host", "url_pattern", "method", "encoding", "extra_config"),
					"of a backend of async agent " + name);
			for (String key : AGENT_BACKEND_KEYS) {
				put(backendPrefix + kebab(key), backend.get(key), backendPath.field(key));
			}
			namespaces(backend.get("extra_config"), backendPath.field("extra_config"), "async agent " + name);
		}
		for (String namespace : names(extra)) {
			if (namespace.equals(ASYNC_AMQP)) {
				settings(extra.get(namespace), path.field("extra_config").field(namespace), prefix + "amqp.",
						keysOf(AsyncAgent.Amqp.class), "async/amqp of async agent " + name);
			}
			else {
				namespace(namespace, extra.get(namespace), path.field("extra_config").field(namespace),
						"async agent " + name);
			}
		}
		return true;
	}

	/**
	 * The keys of one settings object, each under the prefix; a key the record does not have is
	 * listed as skipped.
	 */
	private void settings(JsonNode node, JsonPath path, String prefix, Set<String> keys, String owner) {
		if (!node.isObject()) {
			this.refused.add(path + ": must be an object");
			return;
		}
		for (String key : names(node)) {
			JsonPath keyPath = path.field(key);
			if (!keys.contains(key)) {
				this.skipped.add(keyPath + ": " + key + " of the " + owner + " is not a setting of this gateway");
			}
			else if (DURATIONS.contains(key)) {
				putDuration(prefix + kebab(key), node.get(key), keyPath);
			}
			else {
				put(prefix + kebab(key), node.get(key), keyPath);
			}
		}
	}

	private static final Set<String> DURATIONS = Set.of("timeout", "health_interval", "every", "max_age");

	/**
	 * The keys of a protection's settings, as {@link #settings} puts them, except that a key the
	 * gateway neither runs nor may leave out stops startup: skipping it could let in what the file
	 * keeps out.
	 */
	private void protection(JsonNode node, JsonPath path, String prefix, Set<String> keys, Set<String> ignored,
			String owner) {
		if (!node.isObject()) {
			this.refused.add(path + ": must be an object");
			return;
		}
		for (String key : names(node)) {
			if (!keys.contains(key) && !ignored.contains(key)) {
				this.refused.add(path.field(key) + ": " + key + " of the " + owner
						+ " is not enforced by this gateway; the endpoint is not served without it");
			}
		}
		settings(node, path, prefix, keys, owner);
	}

	/**
	 * Whether an owner's namespaces leave it servable: a protection this gateway does not enforce
	 * stops startup, naming the owner and the namespace.
	 */
	private boolean protectionsKnown(@Nullable JsonNode extra, JsonPath path, String owner) {
		boolean known = true;
		for (String namespace : names(extra)) {
			if (protects(namespace, extra.get(namespace)) && !ENFORCED.contains(namespace)) {
				this.refused.add(path.field(namespace) + ": " + owner + " asks for " + namespace
						+ ", which this gateway does not enforce; it is not served without it (remove the namespace "
						+ "only if the endpoint needs no such protection)");
				known = false;
			}
		}
		return known;
	}

	/** The protections an endpoint's own {@code extra_config} may ask for: they run, enforced. */
	private static final Set<String> ENFORCED = Set.of(AUTH_VALIDATOR, RATE_LIMIT);

	private void namespaces(@Nullable JsonNode extra, JsonPath path, String owner) {
		for (String namespace : names(extra)) {
			namespace(namespace, extra.get(namespace), path.field(namespace), owner);
		}
	}

	private void namespace(String namespace, JsonNode settings, JsonPath path, String owner) {
		if (protects(namespace, settings)) {
			if (!this.refused.stream().anyMatch((line) -> line.startsWith(path.display() + ":"))) {
				this.refused.add(path + ": " + owner + " asks for " + namespace
						+ ", which this gateway does not enforce; it is not run without it");
			}
		}
		else {
			this.skipped.add(path + ": namespace " + namespace + " of " + owner + " is not run here");
		}
	}

	private static boolean protects(String namespace, JsonNode settings) {
		String lower = namespace.toLowerCase(Locale.ROOT);
		if (lower.startsWith("plugin/")) {
			JsonNode names = settings.get("name");
			String named = (names != null) ? names.toString().toLowerCase(Locale.ROOT) : "";
			return PROTECTIONS.stream().anyMatch(named::contains);
		}
		return PROTECTIONS.stream().anyMatch(lower::contains);
	}

	private void unknownKeys(JsonNode node, JsonPath path, Set<String> known, String owner) {
		for (String key : names(node)) {
			if (!known.contains(key)) {
				this.skipped.add(path.field(key) + ": " + key + (owner.isEmpty() ? "" : " " + owner)
						+ " is not a setting this gateway runs");
			}
		}
	}

	private void putDuration(String name, @Nullable JsonNode node, JsonPath path) {
		if (node == null) {
			return;
		}
		Duration duration = duration(node, path);
		if (duration != null) {
			this.properties.put(name, OriginTrackedValue.of(duration, this.document.origin(path)));
		}
	}

	private @Nullable Duration duration(JsonNode node, JsonPath path) {
		Duration duration = node.isString() ? GoDuration.parse(node.asString()) : null;
		if (duration == null) {
			this.refused.add(path + ": " + node + " is not a duration; write it as KrakenD does, such as \"1s\", "
					+ "\"150ms\" or \"1m30s\"");
		}
		return duration;
	}

	/**
	 * Put a value: a scalar as it is, an array as indexed elements, an object as map entries.
	 */
	private void put(String name, @Nullable JsonNode node, JsonPath path) {
		if (node == null || node.isNull()) {
			return;
		}
		if (node.isArray()) {
			for (int i = 0; i < node.size(); i++) {
				put(name + "[" + i + "]", node.get(i), path.index(i));
			}
		}
		else if (node.isObject()) {
			for (String key : names(node)) {
				put(name + "[" + key + "]", node.get(key), path.field(key));
			}
		}
		else {
			Object value = node.isBoolean() ? node.asBoolean() : node.isNumber() ? node.numberValue() : node.asString();
			this.properties.put(name, OriginTrackedValue.of(value, this.document.origin(path)));
		}
	}

	private static @Nullable String amqpNamespace(@Nullable JsonNode extra) {
		return names(extra).stream()
			.filter((namespace) -> Set.of(CONSUMER, PRODUCER, LEGACY_CONSUMER, LEGACY_PRODUCER).contains(namespace))
			.findFirst()
			.orElse(null);
	}

	private static List<String> names(@Nullable JsonNode node) {
		return (node != null && node.isObject()) ? new ArrayList<>(node.propertyNames()) : List.of();
	}

	private static String text(@Nullable JsonNode node, String otherwise) {
		return (node != null && node.isString()) ? node.asString() : otherwise;
	}

	/**
	 * The keys of a configuration record, as KrakenD writes them ({@code prefetchCount} is
	 * {@code prefetch_count}).
	 */
	static Set<String> keysOf(Class<? extends Record> type) {
		return Arrays.stream(type.getRecordComponents())
			.map((component) -> component.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT))
			.collect(Collectors.toSet());
	}

	private static String kebab(String key) {
		return key.replace('_', '-');
	}

}
