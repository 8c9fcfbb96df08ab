package dev.amqpgateway.krakend;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Durations as KrakenD writes them, in Go's syntax: {@code "1s"}, {@code "150ms"},
 * {@code "1m30s"}, {@code "1.5h"}; units {@code ns}, {@code us} ({@code µs}), {@code ms}, {@code s},
 * {@code m}, {@code h}. Spring's own duration format reads {@code "1s"} but not {@code "1m30s"}.
 */
final class GoDuration {

	private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

	private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L, "ms",
			1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

	private GoDuration() {
	}

	/**
	 * Read a duration.
	 * @param text such as {@code 1m30s}
	 * @return the duration, or null when the text is no Go duration (a negative one included)
	 */
	static @Nullable Duration parse(String text) {
		String trimmed = text.trim();
		if (trimmed.equals("0")) {
			return Duration.ZERO;
		}
		if (trimmed.isEmpty()) {
			return null;
		}
		Matcher matcher = PART.matcher(trimmed);
		BigDecimal nanos = BigDecimal.ZERO;
		int end = 0;
		while (matcher.find()) {
			if (matcher.start() != end) {
				return null;
			}
			nanos = nanos.add(new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(NANOS.get(matcher.group(2)))));
			end = matcher.end();
		}
		if (end != trimmed.length()) {
			return null;
		}
		return Duration.ofNanos(nanos.longValue());
	}

}
