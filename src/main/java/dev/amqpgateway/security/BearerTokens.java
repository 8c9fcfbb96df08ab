package dev.amqpgateway.security;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;

/**
 * Finds the bearer token of a request in its {@code Authorization} header, as RFC 6750 §2.1 sends
 * it: the scheme {@code Bearer} in any case, one or more spaces, then the token's characters
 * ({@code b64token}). A request with two {@code Authorization} headers is refused as
 * {@code invalid_request} (400), and a {@code Bearer} credential that is not a token as
 * {@code invalid_token} (401), with Spring Security's {@link BearerTokenErrors}.
 *
 * <p>Spring Security's {@code ServerBearerTokenAuthenticationConverter} reads the first
 * {@code Authorization} header only, so that a second one, which a proxy in front may have read
 * instead, passes unseen; it accepts exactly one space after the scheme; and it merges header,
 * query and body sources into a {@code Flux} on every request. This scan reads the header once.
 */
final class BearerTokens {

	private static final String SCHEME = "Bearer";

	/** The characters of a {@code b64token} before its padding, by their code; a token is long, read once per request. */
	private static final boolean[] TOKEN_CHARACTERS = tokenCharacters();

	private BearerTokens() {
	}

	/**
	 * The bearer token of a request.
	 * @param headers the request's headers
	 * @return the token, or {@code null} when the request carries no bearer credentials
	 * @throws OAuth2AuthenticationException when the request carries them, but not as one token
	 */
	static @Nullable String resolve(HttpHeaders headers) {
		List<String> authorizations = headers.get(HttpHeaders.AUTHORIZATION);
		if (authorizations == null || authorizations.isEmpty()) {
			return null;
		}
		if (authorizations.size() > 1) {
			throw new OAuth2AuthenticationException(
					BearerTokenErrors.invalidRequest("The request has more than one Authorization header"));
		}
		String authorization = authorizations.get(0);
		if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
			return null;
		}
		int start = SCHEME.length();
		while (start < authorization.length() && authorization.charAt(start) == ' ') {
			start++;
		}
		if (start == SCHEME.length() || !isToken(authorization, start)) {
			throw new OAuth2AuthenticationException(BearerTokenErrors.invalidToken("Bearer token is malformed"));
		}
		return authorization.substring(start);
	}

	/** RFC 6750's {@code b64token}: {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
	private static boolean isToken(String text, int start) {
		int end = text.length();
		while (end > start && text.charAt(end - 1) == '=') {
			end--;
		}
		if (end == start) {
			return false;
		}
		for (int i = start; i < end; i++) {
			char c = text.charAt(i);
			if (c >= TOKEN_CHARACTERS.length || !TOKEN_CHARACTERS[c]) {
				return false;
			}
		}
		return true;
	}

	private static boolean[] tokenCharacters() {
		boolean[] allowed = new boolean[128];
		for (char c = 'a'; c <= 'z'; c++) {
			allowed[c] = true;
			allowed[Character.toUpperCase(c)] = true;
		}
		for (char c = '0'; c <= '9'; c++) {
			allowed[c] = true;
		}
		for (char c : "-._~+/".toCharArray()) {
			allowed[c] = true;
		}
		return allowed;
	}

}
