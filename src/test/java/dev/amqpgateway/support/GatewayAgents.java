package dev.amqpgateway.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Builds {@code gateway.async_agents[...]} properties for a test: each agent drains a queue of its
 * own, bound to the test's exchange with the queue's name as its topic, on the test broker.
 */
public final class GatewayAgents {

	private final Map<String, Object> properties = new LinkedHashMap<>();

	private int agents;

	/**
	 * Add an agent.
	 * @param name the agent's name
	 * @param queue its queue, also its topic
	 * @param exchange the exchange to bind the queue to
	 * @param backendUrls one base URL plus path per HTTP backend, such as {@code http://127.0.0.1:8080/ok},
	 * each called with POST
	 * @param keys more keys of the agent, such as {@code consumer.workers}, and their values
	 * @return this builder
	 */
	public GatewayAgents agent(String name, String queue, String exchange, List<String> backendUrls, Object... keys) {
		String prefix = "gateway.async_agents[" + this.agents++ + "]";
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("name", name);
		values.put("consumer.topic", queue);
		values.put("amqp.host[0]", TestBroker.url());
		values.put("amqp.name", queue);
		values.put("amqp.exchange", exchange);
		for (int i = 0; i < backendUrls.size(); i++) {
			String url = backendUrls.get(i);
			int path = url.indexOf('/', url.indexOf("//") + 2);
			values.put("backend[" + i + "].host[0]", url.substring(0, path));
			values.put("backend[" + i + "].url_pattern", url.substring(path));
			values.put("backend[" + i + "].method", "POST");
		}
		for (int i = 0; i + 1 < keys.length; i += 2) {
			values.put(String.valueOf(keys[i]), keys[i + 1]);
		}
		values.forEach((key, value) -> this.properties.put(prefix + "." + key, value));
		return this;
	}

	/**
	 * Register the properties.
	 * @param registry the test's registry
	 */
	public void addTo(DynamicPropertyRegistry registry) {
		this.properties.forEach((key, value) -> registry.add(key, () -> value));
	}

	/**
	 * The properties built so far, for a gateway a test starts itself.
	 * @return property names and values
	 */
	public Map<String, Object> properties() {
		return this.properties;
	}

}
