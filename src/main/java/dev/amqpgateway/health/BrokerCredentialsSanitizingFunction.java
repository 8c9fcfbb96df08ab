package dev.amqpgateway.health;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks broker credentials wherever actuator shows configuration values ({@code /actuator/env},
 * {@code /actuator/configprops}), even with {@code show-values: always}: the password of any
 * {@code amqp://} or {@code amqps://} URL, whatever the key holding it, the whole value of any key
 * ending in "password", such as the TLS store passwords, and any value holding a PEM private key,
 * such as an SSL bundle's {@code keystore.private-key} written inline.
 */
class BrokerCredentialsSanitizingFunction implements SanitizingFunction {

	// Over-masks rather than under-masks: everything between "user:" and the next '@' goes.
	private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(amqps?://[^:/?#@\\s]*:)[^@\\s]*@");

	@Override
	public SanitizableData apply(SanitizableData data) {
		Object value = data.getValue();
		if (value == null) {
			return data;
		}
		if (data.getKey().toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "").endsWith("password")) {
			return data.withSanitizedValue();
		}
		String text = value.toString();
		if (text.contains("PRIVATE KEY-----")) {
			return data.withSanitizedValue();
		}
		if (URL_PASSWORD.matcher(text).find()) {
			return data.withValue(mask(text));
		}
		return data;
	}

	static String mask(String text) {
		return URL_PASSWORD.matcher(text)
			.replaceAll("$1" + Matcher.quoteReplacement(SanitizableData.SANITIZED_VALUE) + "@");
	}

}
