package dev.amqpgateway.consume;

import org.jspecify.annotations.Nullable;

/**
 * Which backend of which endpoint, or which agent's queue.
 *
 * @param endpoint path of the endpoint; for an agent, {@code agent:} and its name, which tags its
 * queue's meters
 * @param index position of the backend in the endpoint's list; 0 for an agent
 * @param agent name of the agent, null for an endpoint's backend
 */
record BackendKey(String endpoint, int index, @Nullable String agent) {

	BackendKey(String endpoint, int index) {
		this(endpoint, index, null);
	}

	static BackendKey ofAgent(String name) {
		return new BackendKey("agent:" + name, 0, name);
	}

}
