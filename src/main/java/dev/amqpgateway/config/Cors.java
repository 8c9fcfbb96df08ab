package dev.amqpgateway.config;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code security/cors} settings: which browser pages of other origins may call the endpoints.
 *
 * @param allowOrigins origins allowed to call, such as {@code https://app.example.com}, with
 * {@code *} wildcards; empty or {@code *} for any origin
 * @param allowMethods methods a preflight request may ask for
 * @param allowHeaders request headers a preflight request may ask for, such as {@code Authorization}
 * @param exposeHeaders response headers the calling page may read
 * @param maxAge how long a browser may keep a preflight answer
 * @param allowCredentials whether a browser may send cookies and authorization with the request; needs
 * named origins
 */
public record Cors(
		@DefaultValue List<String> allowOrigins,
		@DefaultValue({ "GET", "HEAD", "POST" }) List<String> allowMethods,
		@DefaultValue List<String> allowHeaders,
		@DefaultValue List<String> exposeHeaders,
		@Nullable Duration maxAge,
		@DefaultValue("false") boolean allowCredentials) {

	/**
	 * Whether any origin may call.
	 * @return true when {@code allow_origins} is empty or holds {@code *}
	 */
	public boolean anyOrigin() {
		return this.allowOrigins.isEmpty() || this.allowOrigins.contains("*");
	}

}
