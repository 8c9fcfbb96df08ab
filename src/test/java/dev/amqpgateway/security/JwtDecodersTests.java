package dev.amqpgateway.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.amqpgateway.config.Auth;
import dev.amqpgateway.support.JwkServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which key sets are kept, as KrakenD's {@code cache} says, and so whose verified tokens are
 * remembered: a key set file's always, a {@code jwk_url} set's only with {@code cache}.
 */
class JwtDecodersTests {

	private final JwkServer keys = JwkServer.start();

	private final JwtDecoders decoders = new JwtDecoders();

	@AfterEach
	void stop() {
		this.keys.close();
	}

	@Test
	void aKeySetFileIsKeptAndItsTokensRememberedWithoutCache(@TempDir Path directory) throws IOException {
		Path file = this.keys.writeTo(Files.createFile(directory.resolve("jwks.json")));
		ReactiveJwtDecoder decoder = this.decoders.decoderFor(auth(null, file.toString(), false), "auth");
		decodeTwice(decoder);
		assertThat(this.decoders.rememberedTokens()).isOne();
	}

	@Test
	void aKeySetUrlWithoutCacheIsFetchedForEveryTokenAndNothingIsRemembered() {
		ReactiveJwtDecoder decoder = this.decoders.decoderFor(auth(this.keys.url(), null, false), "auth");
		decodeTwice(decoder);
		assertThat(this.decoders.rememberedTokens()).isZero();
		assertThat(this.keys.fetches()).isEqualTo(2);
	}

	@Test
	void aKeySetUrlWithCacheIsKeptAndItsTokensRemembered() {
		ReactiveJwtDecoder decoder = this.decoders.decoderFor(auth(this.keys.url(), null, true), "auth");
		decodeTwice(decoder);
		assertThat(this.decoders.rememberedTokens()).isOne();
		assertThat(this.keys.fetches()).isOne();
	}

	private void decodeTwice(ReactiveJwtDecoder decoder) {
		String token = this.keys.sign(JwkServer.claims());
		for (int i = 0; i < 2; i++) {
			assertThat(decoder.decode(token).block().getSubject()).isEqualTo("client-1");
		}
	}

	private static Auth auth(@Nullable String url, @Nullable String path, boolean cache) {
		return new Auth("RS256", url, path, url != null, cache, Duration.ofMinutes(15), JwkServer.ISSUER,
				List.of(JwkServer.AUDIENCE), List.of(), "roles", List.of(), "scope", Auth.ScopesMatcher.ANY);
	}

}
