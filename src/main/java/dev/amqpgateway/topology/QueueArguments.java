package dev.amqpgateway.topology;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code queue_arguments} of a consumer as queue.declare needs them: numbers as numbers and
 * flags as booleans, even when the configuration source only has strings (environment variables,
 * command line).
 */
final class QueueArguments {

	private static final Set<String> NUMBERS = Set.of("x-message-ttl", "x-expires", "x-max-length",
			"x-max-length-bytes", "x-max-priority", "x-delivery-limit", "x-quorum-initial-group-size",
			"x-quorum-target-group-size", "x-stream-max-segment-size-bytes", "x-initial-cluster-size",
			"x-consumer-timeout");

	private static final Set<String> FLAGS = Set.of("x-single-active-consumer");

	private QueueArguments() {
	}

	static Map<String, Object> of(Map<String, Object> configured) {
		Map<String, Object> arguments = new LinkedHashMap<>();
		configured.forEach((name, value) -> arguments.put(name, convert(name, value)));
		return arguments;
	}

	private static Object convert(String name, Object value) {
		if (value instanceof String text) {
			// At most 18 digits: anything longer may not fit a long, and the broker says why better.
			if (NUMBERS.contains(name) && text.trim().matches("-?\\d{1,18}")) {
				return Long.parseLong(text.trim());
			}
			if (FLAGS.contains(name) && ("true".equalsIgnoreCase(text) || "false".equalsIgnoreCase(text))) {
				return Boolean.parseBoolean(text);
			}
		}
		return value;
	}

}
