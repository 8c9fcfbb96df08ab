package dev.amqpgateway.security;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.amqpgateway.config.Auth;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.JwsAlgorithm;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The token decoders of the protected endpoints: one {@link NimbusReactiveJwtDecoder} per distinct
 * key source (the same {@code jwk_url} or {@code jwk_local_path}, algorithm and caching), shared by
 * the endpoints that name it, so that a key set is fetched and kept once; each endpoint then checks
 * its own issuer and audience on the decoded token. A key set read from a file, or fetched from
 * {@code jwk_url} with {@code cache}, is kept; then the tokens it verified are remembered too
 * ({@link VerifiedTokens}).
 */
final class JwtDecoders {

	private static final Log logger = LogFactory.getLog(JwtDecoders.class);

	private final Map<KeySource, ReactiveJwtDecoder> shared = new HashMap<>();

	private final List<VerifiedTokens> verifiedTokens = new ArrayList<>();

	/**
	 * The decoder of an endpoint.
	 * @param auth the endpoint's settings
	 * @param property the name of its {@code auth} property, for a startup failure
	 * @return a decoder that accepts only tokens the endpoint accepts
	 */
	ReactiveJwtDecoder decoderFor(Auth auth, String property) {
		ReactiveJwtDecoder keys = this.shared.computeIfAbsent(KeySource.of(auth), (source) -> decoder(source, property));
		OAuth2TokenValidator<Jwt> validator = validator(auth);
		// Nimbus's decoder lets a key set it could not fetch through as an IllegalStateException, which
		// would answer 500; it is a token that cannot be checked now, answered 401 and logged.
		return (token) -> keys.decode(token)
			.onErrorMap(IllegalStateException.class, (ex) -> new JwtException("The key set could not be obtained", ex))
			.handle((jwt, sink) -> {
				OAuth2TokenValidatorResult result = validator.validate(jwt);
				if (result.hasErrors()) {
					sink.error(new JwtValidationException(result.getErrors().iterator().next().getDescription(),
							result.getErrors()));
				}
				else {
					sink.next(jwt);
				}
			});
	}

	/** The number of distinct key sources, each with its own decoder. */
	int keySources() {
		return this.shared.size();
	}

	/** The number of verified tokens remembered, over all key sources. */
	int rememberedTokens() {
		return this.verifiedTokens.stream().mapToInt(VerifiedTokens::size).sum();
	}

	private ReactiveJwtDecoder decoder(KeySource source, String property) {
		Function<SignedJWT, Flux<JWK>> keys = (source.url() != null) ? remote(source)::keysFor
				: local(source.path(), property + ".jwk-local-path");
		JwsAlgorithm algorithm = source.alg().startsWith("HS") ? MacAlgorithm.from(source.alg())
				: SignatureAlgorithm.from(source.alg());
		ReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withJwkSource(keys).jwsAlgorithm(algorithm).build();
		// A key set that is fetched for every token (jwk_url without cache) trusts a removed key no
		// longer; a token verified with it is not remembered either.
		boolean keptSet = source.url() == null || source.cache();
		if (!keptSet) {
			logger.warn(property + ": the key set of jwk_url is fetched for every token (cache is false, as in "
					+ "KrakenD); set cache: true to keep it for cache_duration");
			return decoder;
		}
		VerifiedTokens verified = new VerifiedTokens(source.cacheDuration());
		this.verifiedTokens.add(verified);
		return verified.around(decoder);
	}

	private static RemoteJwkSet remote(KeySource source) {
		HttpClient http = HttpClient.create();
		if (source.insecure()) {
			// Only ever on a loopback address: the configuration refuses disable_jwk_security elsewhere.
			http = http.secure((tls) -> tls.sslContext(Http11SslContextSpec.forClient()
				.configure((builder) -> builder.trustManager(InsecureTrustManagerFactory.INSTANCE))));
		}
		WebClient client = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http)).build();
		return new RemoteJwkSet(client, URI.create(source.url().trim()),
				source.cache() ? source.cacheDuration() : Duration.ZERO);
	}

	private static Function<SignedJWT, Flux<JWK>> local(@Nullable String path, String property) {
		JWKSet set;
		try {
			set = JWKSet.load(new File(path));
		}
		catch (IOException | ParseException ex) {
			throw new InvalidConfigurationPropertyValueException(property, path,
					"must be a readable JSON Web Key set file: " + ex.getMessage());
		}
		if (set.getKeys().isEmpty()) {
			throw new InvalidConfigurationPropertyValueException(property, path, "holds no key");
		}
		return (jwt) -> Flux.fromIterable(new JWKSelector(JWKMatcher.forJWSHeader(jwt.getHeader())).select(set));
	}

	private static OAuth2TokenValidator<Jwt> validator(Auth auth) {
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		if (auth.issuer() != null && !auth.issuer().isEmpty()) {
			validators.add(new JwtIssuerValidator(auth.issuer()));
		}
		if (!auth.audience().isEmpty()) {
			validators.add((jwt) -> {
				// the claim as Spring's claim set converter left it (a list), without converting it again
				Object claim = jwt.getClaims().get(JwtClaimNames.AUD);
				Collection<?> carried = (claim instanceof Collection<?> values) ? values
						: (claim != null) ? List.of(claim) : List.of();
				return carried.containsAll(auth.audience()) ? OAuth2TokenValidatorResult.success()
						: OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token",
								"The aud claim does not hold every audience the endpoint asks for", null));
			});
		}
		return new DelegatingOAuth2TokenValidator<>(validators);
	}

	/**
	 * Where an endpoint's keys come from and how they are checked; endpoints with equal sources
	 * share one decoder.
	 */
	private record KeySource(@Nullable String url, @Nullable String path, String alg, boolean insecure, boolean cache,
			Duration cacheDuration) {

		static KeySource of(Auth auth) {
			boolean url = auth.jwkUrl() != null && !auth.jwkUrl().isBlank();
			return new KeySource(url ? auth.jwkUrl() : null, url ? null : auth.jwkLocalPath(), auth.alg(),
					auth.disableJwkSecurity(), auth.cache(), auth.cacheDuration());
		}

	}

}
