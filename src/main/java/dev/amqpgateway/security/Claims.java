package dev.amqpgateway.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Reads roles and scopes from a token's claims by a configured key: the claim of that name, else,
 * for a dotted key such as {@code realm_access.roles}, the path through nested claims.
 */
final class Claims {

	private Claims() {
	}

	/**
	 * The values of a claim.
	 * @param claims the token's claims
	 * @param key the claim's name or dotted path
	 * @return the values: a list's elements, or a string's space-separated words; empty when absent
	 */
	static List<String> values(Map<String, Object> claims, String key) {
		Object claim = find(claims, key);
		if (claim instanceof String text) {
			return words(text);
		}
		if (claim instanceof Collection<?> values) {
			return values.stream().map(String::valueOf).toList();
		}
		return List.of();
	}

	private static List<String> words(String text) {
		List<String> words = new ArrayList<>(2);
		int start = -1;
		for (int i = 0; i <= text.length(); i++) {
			boolean space = i == text.length() || Character.isWhitespace(text.charAt(i));
			if (space && start >= 0) {
				words.add(text.substring(start, i));
				start = -1;
			}
			else if (!space && start < 0) {
				start = i;
			}
		}
		return words;
	}

	private static @Nullable Object find(Map<String, Object> claims, String key) {
		if (claims.containsKey(key)) {
			return claims.get(key);
		}
		Object current = claims;
		for (String part : key.split("\\.")) {
			if (!(current instanceof Map<?, ?> map)) {
				return null;
			}
			current = map.get(part);
		}
		return current;
	}

}
