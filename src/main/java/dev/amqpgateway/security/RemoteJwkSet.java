package dev.amqpgateway.security;

import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A JSON Web Key set fetched from {@code jwk_url}: kept for {@code cache_duration} (fetched for
 * every token when {@code cache} is false), and fetched again sooner when a token names a key the
 * set does not hold, so that a rotated key is found; at most once per {@link #REFRESH_INTERVAL},
 * so that tokens with made-up key ids cannot make the gateway hammer the key server.
 *
 * <p>Spring Security's own remote key source keeps a set until a token names a key it lacks: a key
 * removed from the set would be trusted until restart. This one forgets it after the cache duration.
 *
 * <p>A set that cannot be fetched is logged once when it becomes unreachable and once when it is
 * fetched again, not for each token checked meanwhile: every such token is answered 401.
 */
final class RemoteJwkSet {

	private static final Log logger = LogFactory.getLog(RemoteJwkSet.class);

	/** Least time between two fetches caused by an unknown key id, as Nimbus's own key sources have it. */
	static final Duration REFRESH_INTERVAL = Duration.ofSeconds(30);

	private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

	private final WebClient client;

	private final URI uri;

	private final Duration timeToLive;

	private final AtomicReference<Mono<JWKSet>> current = new AtomicReference<>();

	/** Whether the last fetch succeeded (at first assumed), so that only a change is logged. */
	private final AtomicBoolean reachable = new AtomicBoolean(true);

	/** When the set was last fetched; at first long enough ago that an unknown key may fetch it again. */
	private volatile long fetchedAt = System.nanoTime() - REFRESH_INTERVAL.toNanos();

	RemoteJwkSet(WebClient client, URI uri, Duration timeToLive) {
		this.client = client;
		this.uri = uri;
		this.timeToLive = timeToLive;
		this.current.set(fetch());
	}

	/**
	 * The keys of the set that may have signed a token.
	 * @param jwt the token
	 * @return the keys that match its header; an error when the set cannot be fetched
	 */
	Flux<JWK> keysFor(SignedJWT jwt) {
		JWKSelector selector = new JWKSelector(JWKMatcher.forJWSHeader(jwt.getHeader()));
		Mono<JWKSet> set = this.current.get();
		return set.flatMapMany((keys) -> {
			List<JWK> selected = selector.select(keys);
			if (!selected.isEmpty() || System.nanoTime() - this.fetchedAt < REFRESH_INTERVAL.toNanos()) {
				return Flux.fromIterable(selected);
			}
			Mono<JWKSet> fresh = fetch();
			this.current.compareAndSet(set, fresh);
			return this.current.get().flatMapIterable(selector::select);
		});
	}

	private Mono<JWKSet> fetch() {
		return this.client.get()
			.uri(this.uri)
			.accept(MediaType.APPLICATION_JSON)
			.retrieve()
			.bodyToMono(String.class)
			.timeout(FETCH_TIMEOUT)
			.map(RemoteJwkSet::parse)
			.doOnNext((set) -> fetched())
			.doOnError(this::failed)
			.cache((set) -> this.timeToLive, (failure) -> Duration.ZERO, () -> Duration.ZERO);
	}

	private void fetched() {
		this.fetchedAt = System.nanoTime();
		if (this.reachable.compareAndSet(false, true)) {
			logger.info("The JSON Web Key set at " + location() + " is fetched again; its tokens are checked again");
		}
	}

	private void failed(Throwable failure) {
		if (this.reachable.compareAndSet(true, false)) {
			logger.warn("The JSON Web Key set at " + location() + " cannot be fetched (" + failure
					+ "); its endpoints answer 401 to every token until it can");
		}
	}

	/** Where the set is, without any credentials the URL may carry. */
	private String location() {
		return this.uri.getScheme() + "://" + this.uri.getHost() + ((this.uri.getPort() != -1) ? ":" + this.uri.getPort() : "")
				+ this.uri.getPath();
	}

	private static JWKSet parse(String body) {
		try {
			return JWKSet.parse(body);
		}
		catch (ParseException ex) {
			throw new IllegalStateException("The key set is not a JSON Web Key set: " + ex.getMessage(), ex);
		}
	}

}
