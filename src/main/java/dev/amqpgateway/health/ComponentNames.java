package dev.amqpgateway.health;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Health component names for endpoint paths, which may not contain '/' and appear in
 * {@code /actuator/health/gateway/<name>} URLs: {@code /orders} is {@code orders},
 * {@code /api/v1/orders} is {@code api.v1.orders}.
 */
final class ComponentNames {

	private ComponentNames() {
	}

	/**
	 * Name every path, distinct names for distinct paths.
	 * @param paths the endpoint paths, in configuration order
	 * @return the name of each path, in the same order
	 */
	static Map<String, String> of(Collection<String> paths) {
		Map<String, String> names = new LinkedHashMap<>();
		for (String path : paths) {
			String name = nameOf(path);
			String unique = name;
			for (int i = 2; names.containsValue(unique); i++) {
				unique = name + "~" + i;
			}
			names.put(path, unique);
		}
		return names;
	}

	static String nameOf(String path) {
		String trimmed = path.replaceAll("^/+|/+$", "");
		if (trimmed.isEmpty()) {
			return "root";
		}
		return trimmed.replaceAll("/+", ".").replaceAll("[^A-Za-z0-9._~-]", "_");
	}

}
