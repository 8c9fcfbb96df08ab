package dev.amqpgateway.http;

import java.math.BigDecimal;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.LongString;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * AMQP field values (the values of message headers) as JSON: strings and long strings as text,
 * integers and floats as numbers, booleans, decimals as text (their digits exactly, such as
 * {@code "12.50"}), timestamps as ISO-8601 text in UTC, byte arrays as base64 text, arrays as
 * arrays and tables as objects.
 */
final class AmqpValues {

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private AmqpValues() {
	}

	static ObjectNode table(Map<String, Object> table) {
		ObjectNode object = nodes.objectNode();
		table.forEach((name, value) -> object.set(name, json(value)));
		return object;
	}

	static JsonNode json(@Nullable Object value) {
		if (value == null) {
			return nodes.nullNode();
		}
		if (value instanceof LongString text) {
			return nodes.stringNode(text.toString());
		}
		if (value instanceof String text) {
			return nodes.stringNode(text);
		}
		if (value instanceof Boolean bool) {
			return nodes.booleanNode(bool);
		}
		if (value instanceof BigDecimal decimal) {
			return nodes.stringNode(decimal.toPlainString());
		}
		if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
			return nodes.numberNode(((Number) value).longValue());
		}
		if (value instanceof Float || value instanceof Double) {
			return nodes.numberNode(((Number) value).doubleValue());
		}
		if (value instanceof Date date) {
			return nodes.stringNode(date.toInstant().toString());
		}
		if (value instanceof byte[] bytes) {
			return nodes.stringNode(Base64.getEncoder().encodeToString(bytes));
		}
		if (value instanceof List<?> list) {
			ArrayNode array = nodes.arrayNode();
			list.forEach((element) -> array.add(json(element)));
			return array;
		}
		if (value instanceof Object[] elements) {
			return json(List.of(elements));
		}
		if (value instanceof Map<?, ?> map) {
			ObjectNode object = nodes.objectNode();
			map.forEach((name, element) -> object.set(String.valueOf(name), json(element)));
			return object;
		}
		return nodes.stringNode(value.toString());
	}

}
