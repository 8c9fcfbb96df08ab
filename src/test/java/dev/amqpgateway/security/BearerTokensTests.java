package dev.amqpgateway.security;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * How a bearer token is read from the {@code Authorization} header, as RFC 6750 §2.1 sends it.
 */
class BearerTokensTests {

	private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQtMSJ9.c2lnbmF0dXJl-_~+/==";

	@Test
	void theTokenAfterTheSchemeIsRead() {
		assertThat(BearerTokens.resolve(headers("Bearer " + TOKEN))).isEqualTo(TOKEN);
	}

	@Test
	void theSchemeIsReadInAnyCase() {
		assertThat(BearerTokens.resolve(headers("bearer " + TOKEN))).isEqualTo(TOKEN);
		assertThat(BearerTokens.resolve(headers("BEARER " + TOKEN))).isEqualTo(TOKEN);
	}

	@Test
	void moreThanOneSpaceMaySeparateSchemeAndToken() {
		assertThat(BearerTokens.resolve(headers("Bearer   " + TOKEN))).isEqualTo(TOKEN);
	}

	@Test
	void noAuthorizationHeaderOrAnotherSchemeIsNoToken() {
		assertThat(BearerTokens.resolve(new HttpHeaders())).isNull();
		assertThat(BearerTokens.resolve(headers("Basic Z3Vlc3Q6Z3Vlc3Q="))).isNull();
	}

	@Test
	void twoAuthorizationHeadersAreAnInvalidRequest() {
		HttpHeaders headers = headers("Bearer " + TOKEN);
		headers.add(HttpHeaders.AUTHORIZATION, "Bearer other");
		assertThat(refusal(headers)).satisfies((error) -> {
			assertThat(error.getErrorCode()).isEqualTo("invalid_request");
			assertThat(error.getHttpStatus()).isEqualTo(HttpStatus.BAD_REQUEST);
		});
	}

	@Test
	void aTokenWithCharactersOutsideB64TokenIsInvalid() {
		for (String value : new String[] { "Bearer abc def", "Bearer abc\"def", "Bearer abc%20", "Bearer a=b",
				"Bearer ===", "Bearer" + "\u00e9" }) {
			assertThat(refusal(headers(value))).as(value).satisfies((error) -> {
				assertThat(error.getErrorCode()).isEqualTo("invalid_token");
				assertThat(error.getHttpStatus()).isEqualTo(HttpStatus.UNAUTHORIZED);
			});
		}
	}

	@Test
	void theSchemeWithoutATokenIsInvalid() {
		assertThat(refusal(headers("Bearer")).getErrorCode()).isEqualTo("invalid_token");
		assertThat(refusal(headers("Bearer   ")).getErrorCode()).isEqualTo("invalid_token");
		assertThat(refusal(headers("Bearer" + TOKEN)).getErrorCode()).isEqualTo("invalid_token");
	}

	private static HttpHeaders headers(String authorization) {
		HttpHeaders headers = new HttpHeaders();
		headers.add(HttpHeaders.AUTHORIZATION, authorization);
		return headers;
	}

	private static BearerTokenError refusal(HttpHeaders headers) {
		OAuth2AuthenticationException refused = catchThrowableOfType(OAuth2AuthenticationException.class,
				() -> BearerTokens.resolve(headers));
		assertThat(refused).isNotNull();
		return (BearerTokenError) refused.getError();
	}

}
