package dev.amqpgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * An identity provider for tests: an RSA key whose public half it serves as a JSON Web Key set
 * on a real HTTP server ({@code /jwks.json}), and tokens signed with it by Nimbus, as an issuer
 * would sign them. Tokens start valid: issuer {@link #ISSUER}, audience {@link #AUDIENCE}, an
 * hour to live.
 */
public final class JwkServer implements AutoCloseable {

	/** The issuer of the tokens. */
	public static final String ISSUER = "https://issuer.test";

	/** The audience of the tokens. */
	public static final String AUDIENCE = "amqp-gateway";

	private final RSAKey key;

	private final DisposableServer server;

	private final AtomicInteger fetches = new AtomicInteger();

	private volatile boolean available = true;

	private JwkServer(RSAKey key) {
		this.key = key;
		String body = jwkSet();
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes.get("/jwks.json", (request, response) -> {
				this.fetches.incrementAndGet();
				if (!this.available) {
					return response.status(503).send();
				}
				return response.header("Content-Type", "application/json")
					.sendString(reactor.core.publisher.Mono.just(body));
			}))
			.bindNow();
	}

	/**
	 * Start a server with a new key.
	 * @return the running server
	 */
	public static JwkServer start() {
		return new JwkServer(newKey("test-key"));
	}

	/**
	 * A new RSA key, 2048 bits.
	 * @param id its key id
	 * @return the key pair as a JWK
	 */
	public static RSAKey newKey(String id) {
		try {
			return new RSAKeyGenerator(2048).keyID(id).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The URL of the key set.
	 * @return such as {@code http://127.0.0.1:40123/jwks.json}
	 */
	public String url() {
		return "http://127.0.0.1:" + this.server.port() + "/jwks.json";
	}

	/**
	 * The public key set, as served.
	 * @return the JSON of the set
	 */
	public String jwkSet() {
		return new JWKSet(this.key.toPublicJWK()).toString();
	}

	/**
	 * Write the public key set to a file, for {@code jwk_local_path}.
	 * @param file the file
	 * @return the file
	 */
	public Path writeTo(Path file) {
		try {
			return Files.writeString(file, jwkSet(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * How often the key set was fetched.
	 * @return the number of requests for it
	 */
	public int fetches() {
		return this.fetches.get();
	}

	/**
	 * Answer requests for the key set with it, or with 503 as an identity provider that is down.
	 * @param available whether the set is served
	 */
	public void available(boolean available) {
		this.available = available;
	}

	/**
	 * Claims of a valid token: issuer, audience, subject, an hour to live.
	 * @return a builder to add to or override
	 */
	public static JWTClaimsSet.Builder claims() {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(ISSUER)
			.audience(AUDIENCE)
			.subject("client-1")
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plus(Duration.ofHours(1))));
	}

	/**
	 * Claims of a valid token with the given roles under {@code realm_access.roles}, as Keycloak puts them.
	 * @param roles the roles
	 * @return a builder to add to or override
	 */
	public static JWTClaimsSet.Builder withRoles(String... roles) {
		return claims().claim("realm_access", Map.of("roles", List.of(roles)));
	}

	/**
	 * A token signed with this server's key.
	 * @param claims the claims
	 * @return the serialized token
	 */
	public String sign(JWTClaimsSet.Builder claims) {
		return sign(claims, this.key);
	}

	/**
	 * A token signed with the given key, RS256.
	 * @param claims the claims
	 * @param key the key
	 * @return the serialized token
	 */
	public static String sign(JWTClaimsSet.Builder claims, RSAKey key) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
				.type(JOSEObjectType.JWT)
				.build(), claims.build());
			jwt.sign(new RSASSASigner(key));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * An unsigned token ({@code alg: none}).
	 * @param claims the claims
	 * @return the serialized token
	 */
	public static String unsigned(JWTClaimsSet.Builder claims) {
		return new PlainJWT(claims.build()).serialize();
	}

	/**
	 * Stop serving, as an identity provider that is down.
	 */
	@Override
	public void close() {
		this.server.disposeNow();
	}

}
