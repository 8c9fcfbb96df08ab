package dev.amqpgateway.security;

import java.util.ArrayList;
import java.util.List;

import dev.amqpgateway.config.Cors;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.WebFilter;

/**
 * What every request passes before its endpoint's handler: CORS, then the bearer token of an
 * endpoint with {@code auth}, then its rate limits. Web filters run before any handler, so a request
 * refused here never takes a message nor publishes one.
 *
 * <p>Spring Security's own filter chain is not used ({@link BearerTokenWebFilter} says why), and
 * the application excludes Boot's auto-configurations that would otherwise build one with a
 * generated password and protect every path and the actuator.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	private static final Log logger = LogFactory.getLog(SecurityConfiguration.class);

	/**
	 * The order of the token check: where Spring Security's filter chain proxy would run
	 * ({@code WebFluxSecurityConfiguration}'s {@code WEB_FILTER_CHAIN_FILTER_ORDER}, which is not public).
	 */
	static final int SECURITY_ORDER = -100;

	/** A preflight request is answered before the token check: browsers send it without one. */
	static final int CORS_ORDER = SECURITY_ORDER - 1;

	/** Rate limits count after the token check, as in KrakenD: a refused token uses no permit. */
	static final int RATE_LIMIT_ORDER = SECURITY_ORDER + 1;

	/**
	 * The endpoints with {@code auth}, each with its token check: one decoder per key source, the
	 * endpoint's issuer and audience, and its roles and scopes read from the claims as they are.
	 */
	@Bean
	ProtectedEndpoints protectedEndpoints(GatewayProperties properties) {
		JwtDecoders decoders = new JwtDecoders();
		List<ProtectedEndpoint> endpoints = new ArrayList<>();
		for (int i = 0; i < properties.endpoints().size(); i++) {
			Endpoint endpoint = properties.endpoints().get(i);
			if (endpoint.auth() != null) {
				endpoints.add(new ProtectedEndpoint(EndpointPaths.withSettlementRoutes(endpoint),
						decoders.decoderFor(endpoint.auth(), "gateway.endpoints[" + i + "].auth"),
						new ClaimsAuthorizationManager(endpoint.auth())));
			}
		}
		if (!endpoints.isEmpty()) {
			logger.info(endpoints.size() + " endpoint(s) need a bearer token, checked with " + decoders.keySources()
					+ " key source(s)");
		}
		return new ProtectedEndpoints(List.copyOf(endpoints));
	}

	/**
	 * The token check of the endpoints with {@code auth}; every other request passes untouched.
	 */
	@Bean
	@Order(SECURITY_ORDER)
	WebFilter bearerTokenWebFilter(ProtectedEndpoints endpoints) {
		return new BearerTokenWebFilter(endpoints);
	}

	@Bean
	@Order(RATE_LIMIT_ORDER)
	WebFilter rateLimitWebFilter(GatewayProperties properties) {
		List<EndpointRateLimit> limits = properties.endpoints()
			.stream()
			.filter((endpoint) -> endpoint.rateLimit() != null)
			.map((endpoint) -> new EndpointRateLimit(endpoint, endpoint.rateLimit()))
			.toList();
		return new RateLimitWebFilter(limits);
	}

	/**
	 * Cross-origin calls as {@code gateway.cors} allows them, on every endpoint; none without it.
	 */
	@Bean
	@Order(CORS_ORDER)
	WebFilter corsWebFilter(GatewayProperties properties) {
		Cors cors = properties.cors();
		if (cors == null) {
			return (exchange, chain) -> chain.filter(exchange);
		}
		CorsConfiguration configuration = new CorsConfiguration();
		configuration.setAllowedOriginPatterns(cors.anyOrigin() ? List.of("*") : cors.allowOrigins());
		configuration.setAllowedMethods(cors.allowMethods());
		configuration.setAllowedHeaders(cors.allowHeaders());
		configuration.setExposedHeaders(cors.exposeHeaders());
		configuration.setAllowCredentials(cors.allowCredentials());
		if (cors.maxAge() != null) {
			configuration.setMaxAge(cors.maxAge());
		}
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		source.registerCorsConfiguration("/**", configuration);
		return new CorsWebFilter(source);
	}

}
