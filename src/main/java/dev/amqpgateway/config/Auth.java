package dev.amqpgateway.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.validation.constraints.NotBlank;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;

/**
 * The {@code auth/validator} settings of an endpoint: a request is served only with a bearer JSON
 * Web Token signed by a key of the set, from the issuer and for the audience named, that carries
 * one of the roles and the scopes asked for.
 *
 * @param alg signature algorithm the tokens must be signed with, such as {@code RS256}
 * @param jwkUrl URL of the JSON Web Key set that holds the signing keys; https unless
 * {@code disable_jwk_security} is set and the host is a loopback address
 * @param jwkLocalPath path of a file that holds the JSON Web Key set, instead of {@code jwk_url}
 * @param disableJwkSecurity whether {@code jwk_url} may be plain http; only for a loopback host
 * @param cache whether the key set fetched from {@code jwk_url} is kept for {@code cache_duration}
 * rather than fetched for every token, as KrakenD's {@code cache}; a key set read from
 * {@code jwk_local_path} is always kept
 * @param cacheDuration how long a kept key set is used, in seconds unless a unit is given, and how long
 * a token it verified is remembered; a token signed with a key not in the set fetches it again sooner
 * @param issuer value the token's {@code iss} claim must have
 * @param audience values the token's {@code aud} claim must all hold
 * @param roles roles of which the token must carry at least one
 * @param rolesKey claim that holds the roles; a dotted name such as {@code realm_access.roles} is a
 * path into nested claims when no claim has the whole name
 * @param scopes scopes the token must carry, any or all of them as {@code scopes_matcher} says
 * @param scopesKey claim that holds the scopes, a space-separated string or a list; dotted as
 * {@code roles_key}
 * @param scopesMatcher whether any one or all of {@code scopes} must be carried
 */
public record Auth(
		@DefaultValue("RS256") String alg,
		@Nullable String jwkUrl,
		@Nullable String jwkLocalPath,
		@DefaultValue("false") boolean disableJwkSecurity,
		@DefaultValue("false") boolean cache,
		@DefaultValue("900") @DurationUnit(ChronoUnit.SECONDS) @DurationMin(seconds = 1, message = "must be at least 1s, such as 900") Duration cacheDuration,
		@Nullable String issuer,
		@DefaultValue List<String> audience,
		@DefaultValue List<String> roles,
		@DefaultValue("roles") @NotBlank String rolesKey,
		@DefaultValue List<String> scopes,
		@DefaultValue("scope") @NotBlank String scopesKey,
		@DefaultValue("any") ScopesMatcher scopesMatcher) {

	/**
	 * The signature algorithms a token may be checked with.
	 */
	public static final List<String> ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
			"ES256", "ES384", "ES512", "HS256", "HS384", "HS512");

	/**
	 * Whether {@code scopes} must all be carried, or any one of them.
	 */
	public enum ScopesMatcher {

		/** At least one of the scopes. */
		ANY,

		/** Every one of the scopes. */
		ALL

	}

}
