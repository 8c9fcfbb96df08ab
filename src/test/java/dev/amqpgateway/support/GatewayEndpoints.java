package dev.amqpgateway.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Builds {@code gateway.endpoints[...]} properties for a test, each consumer on a queue and
 * exchange of its own so that tests never see each other's messages.
 */
public final class GatewayEndpoints {

	private final Map<String, Object> properties = new LinkedHashMap<>();

	private int endpoints;

	/**
	 * A unique name for a queue or exchange of a test.
	 * @param prefix what the name is for
	 * @return the prefix with a random suffix
	 */
	public static String unique(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/**
	 * Add an endpoint with one backend per map of keys; each backend is given the test broker's URL
	 * unless it sets a host itself, and a consumer {@code routing_key: ["#"]} unless it sets one.
	 * @param path path of the endpoint
	 * @param backends the backends: maps of backend keys, with {@code amqp.consumer.*} keys flattened
	 * @return this builder
	 */
	@SafeVarargs
	public final GatewayEndpoints endpoint(String path, Map<String, Object>... backends) {
		String prefix = "gateway.endpoints[" + this.endpoints++ + "]";
		this.properties.put(prefix + ".endpoint", path);
		for (int i = 0; i < backends.length; i++) {
			String backend = prefix + ".backend[" + i + "]";
			Map<String, Object> values = new LinkedHashMap<>(backends[i]);
			values.computeIfAbsent("host[0]", (key) -> TestBroker.url());
			if (values.keySet().stream().anyMatch((key) -> key.startsWith("amqp.consumer."))) {
				values.putIfAbsent("amqp.consumer.routing_key[0]", "#");
			}
			values.forEach((key, value) -> this.properties.put(backend + "." + key, value));
		}
		return this;
	}

	/**
	 * Set the timeout of the endpoint added last.
	 * @param timeout a duration, such as {@code 10s}
	 * @return this builder
	 */
	public GatewayEndpoints timeout(String timeout) {
		this.properties.put("gateway.endpoints[" + (this.endpoints - 1) + "].timeout", timeout);
		return this;
	}

	/**
	 * Register the properties built so far with a test's dynamic properties.
	 * @param registry the registry of a {@code @DynamicPropertySource} method
	 */
	public void addTo(DynamicPropertyRegistry registry) {
		this.properties.forEach((name, value) -> registry.add(name, () -> value));
	}

	/**
	 * The properties built so far.
	 * @return property names and values
	 */
	public Map<String, Object> properties() {
		return this.properties;
	}

	/**
	 * A backend consuming the given queue bound to the given exchange.
	 * @param queue the queue name
	 * @param exchange the exchange name
	 * @param more further backend keys and values, alternating
	 * @return the backend's keys
	 */
	public static Map<String, Object> consumer(String queue, String exchange, Object... more) {
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("amqp.consumer.name", queue);
		values.put("amqp.consumer.exchange", exchange);
		for (int i = 0; i + 1 < more.length; i += 2) {
			values.put((String) more[i], more[i + 1]);
		}
		return values;
	}

}
