package dev.amqpgateway.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * The tokens a key source verified, remembered by their exact text until they expire, and never
 * longer than {@code cache_duration}: a client sends the same token with every request for its
 * lifetime, and checking its signature again each time would cost more than the rest of the
 * request (RS256 about 100 µs, the drain of a message about 40). A token signed with a key since
 * removed from the set stays accepted no longer than that key itself stays in the cached set. The
 * endpoint's own checks (issuer, audience, roles, scopes) still run on every request.
 */
final class VerifiedTokens {

	/** Most tokens remembered per key source; beyond, expired ones are dropped, then all. */
	static final int CAPACITY = 4096;

	private final Duration maxAge;

	private final Map<String, Verified> tokens = new ConcurrentHashMap<>();

	VerifiedTokens(Duration maxAge) {
		this.maxAge = maxAge;
	}

	/**
	 * A decoder that answers a remembered token at once and remembers what the given one verifies.
	 * @param decoder the decoder that checks signature and expiry
	 * @return the remembering decoder
	 */
	ReactiveJwtDecoder around(ReactiveJwtDecoder decoder) {
		return (token) -> {
			Verified verified = this.tokens.get(token);
			if (verified != null && System.nanoTime() - verified.until() < 0) {
				return Mono.just(verified.jwt());
			}
			return decoder.decode(token).doOnNext((jwt) -> remember(token, jwt));
		};
	}

	int size() {
		return this.tokens.size();
	}

	private void remember(String token, Jwt jwt) {
		long now = System.nanoTime();
		long age = this.maxAge.toNanos();
		if (jwt.getExpiresAt() != null) {
			age = Math.min(age, Duration.between(Instant.now(), jwt.getExpiresAt()).toNanos());
		}
		if (age <= 0) {
			return;
		}
		if (this.tokens.size() >= CAPACITY) {
			this.tokens.values().removeIf((verified) -> now - verified.until() >= 0);
			if (this.tokens.size() >= CAPACITY) {
				this.tokens.clear();
			}
		}
		this.tokens.put(token, new Verified(jwt, now + age));
	}

	/**
	 * A verified token and the {@link System#nanoTime()} until which it is remembered.
	 */
	private record Verified(Jwt jwt, long until) {
	}

}
