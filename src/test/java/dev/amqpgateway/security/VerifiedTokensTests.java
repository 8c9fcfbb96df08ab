package dev.amqpgateway.security;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tokens verified once are answered from memory until they expire, never longer than the key
 * set's cache duration, and a refused token is never remembered.
 */
class VerifiedTokensTests {

	private final AtomicInteger decoded = new AtomicInteger();

	@Test
	void aVerifiedTokenIsNotVerifiedAgain() {
		ReactiveJwtDecoder decoder = new VerifiedTokens(Duration.ofMinutes(15)).around(expiringIn(Duration.ofHours(1)));
		for (int i = 0; i < 5; i++) {
			assertThat(decoder.decode("token-a").block().getSubject()).isEqualTo("token-a");
		}
		decoder.decode("token-b").block();
		assertThat(this.decoded).hasValue(2);
	}

	@Test
	void aTokenIsVerifiedAgainOnceItExpires() {
		ReactiveJwtDecoder decoder = new VerifiedTokens(Duration.ofMinutes(15))
			.around(expiringIn(Duration.ofMillis(300)));
		decoder.decode("token").block();
		decoder.decode("token").block();
		assertThat(this.decoded).hasValue(1);
		await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(300)).untilAsserted(() -> {
			decoder.decode("token").block();
			assertThat(this.decoded).hasValueGreaterThan(1);
		});
	}

	@Test
	void aTokenIsVerifiedAgainAfterTheCacheDurationWhateverItsExpiry() {
		ReactiveJwtDecoder decoder = new VerifiedTokens(Duration.ofMillis(300)).around(expiringIn(Duration.ofHours(1)));
		decoder.decode("token").block();
		decoder.decode("token").block();
		assertThat(this.decoded).hasValue(1);
		await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(300)).untilAsserted(() -> {
			decoder.decode("token").block();
			assertThat(this.decoded).hasValueGreaterThan(1);
		});
	}

	@Test
	void aRefusedTokenIsNeverRemembered() {
		ReactiveJwtDecoder refusing = (token) -> {
			this.decoded.incrementAndGet();
			return Mono.error(new BadJwtException("refused"));
		};
		ReactiveJwtDecoder decoder = new VerifiedTokens(Duration.ofMinutes(15)).around(refusing);
		for (int i = 0; i < 3; i++) {
			assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decoder.decode("token").block());
		}
		assertThat(this.decoded).hasValue(3);
	}

	@Test
	void memoryIsBounded() {
		VerifiedTokens tokens = new VerifiedTokens(Duration.ofMinutes(15));
		ReactiveJwtDecoder decoder = tokens.around(expiringIn(Duration.ofHours(1)));
		for (int i = 0; i < VerifiedTokens.CAPACITY + 10; i++) {
			decoder.decode("token-" + i).block();
		}
		assertThat(tokens.size()).isLessThanOrEqualTo(VerifiedTokens.CAPACITY);
	}

	private ReactiveJwtDecoder expiringIn(Duration lifetime) {
		return (token) -> {
			this.decoded.incrementAndGet();
			Instant now = Instant.now();
			return Mono.just(Jwt.withTokenValue(token).header("alg", "RS256").subject(token).issuedAt(now)
				.expiresAt(now.plus(lifetime)).build());
		};
	}

}
