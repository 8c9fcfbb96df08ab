package dev.amqpgateway.security;

import java.util.ArrayList;
import java.util.List;

import dev.amqpgateway.config.Cors;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.ReactiveAuthenticationManagerResolver;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.server.resource.authentication.JwtReactiveAuthenticationManager;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;

/**
 * What every request passes before its endpoint's handler: CORS, then the bearer token of an
 * endpoint with {@code auth}, then its rate limits. Web filters run before any handler, so a request
 * refused here never takes a message nor publishes one.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {

	private static final Log logger = LogFactory.getLog(SecurityConfiguration.class);

	/**
	 * The order of Spring Security's filter chain proxy ({@code WebFluxSecurityConfiguration}'s
	 * {@code WEB_FILTER_CHAIN_FILTER_ORDER}, which is not public).
	 */
	private static final int SECURITY_ORDER = -100;

	/** A preflight request is answered before the token check: browsers send it without one. */
	static final int CORS_ORDER = SECURITY_ORDER - 1;

	/** Rate limits count after the token check, as in KrakenD: a refused token uses no permit. */
	static final int RATE_LIMIT_ORDER = SECURITY_ORDER + 1;

	/**
	 * The token check of the endpoints with {@code auth}; every other request passes this chain
	 * untouched (it does not match them), so unprotected endpoints cost nothing here.
	 */
	@Bean
	ProtectedEndpoints protectedEndpoints(GatewayProperties properties) {
		JwtDecoders decoders = new JwtDecoders();
		List<ProtectedEndpoint> endpoints = new ArrayList<>();
		for (int i = 0; i < properties.endpoints().size(); i++) {
			Endpoint endpoint = properties.endpoints().get(i);
			if (endpoint.auth() != null) {
				ReactiveAuthenticationManager authentication = new JwtReactiveAuthenticationManager(
						decoders.decoderFor(endpoint.auth(), "gateway.endpoints[" + i + "].auth"));
				endpoints.add(new ProtectedEndpoint(EndpointPaths.withSettlementRoutes(endpoint), authentication,
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
	 * The token check of the endpoints with {@code auth}; every other request passes this chain
	 * untouched (it does not match them), so unprotected endpoints cost nothing here.
	 */
	@Bean
	SecurityWebFilterChain endpointSecurity(ServerHttpSecurity http, ProtectedEndpoints endpoints) {
		ProblemAnswers answers = new ProblemAnswers();
		ServerWebExchangeMatcher anyProtected = (exchange) -> endpoints.of(exchange).isPresent()
				? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch();
		ReactiveAuthenticationManagerResolver<ServerWebExchange> managers = (exchange) -> Mono
			.justOrEmpty(endpoints.of(exchange))
			.map(ProtectedEndpoint::authentication);
		http.securityMatcher(anyProtected)
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.anonymous(ServerHttpSecurity.AnonymousSpec::disable)
			// The gateway sets the headers of its answers itself (Cache-Control: no-store on messages).
			.headers(ServerHttpSecurity.HeaderSpec::disable)
			.requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(answers).accessDeniedHandler(answers))
			.oauth2ResourceServer((resourceServer) -> resourceServer.authenticationManagerResolver(managers)
				.authenticationEntryPoint(answers)
				.authenticationFailureHandler(answers)
				.accessDeniedHandler(answers))
			.authorizeExchange((exchanges) -> {
				for (ProtectedEndpoint endpoint : endpoints.endpoints()) {
					exchanges.matchers(endpoint::match).access(endpoint.authorization());
				}
				exchanges.anyExchange().denyAll();
			});
		return http.build();
	}

	/**
	 * Spring Security's strict firewall (no encoded slashes, backslashes, periods or percent signs,
	 * no semicolons in the path) on the protected endpoints' requests only. It would otherwise
	 * refuse every request before any chain matched, and the message ids of producer paths may
	 * hold such characters; on an open endpoint, route and security match the same path anyway.
	 */
	@Bean
	ServerWebExchangeFirewall protectedEndpointsFirewall(ProtectedEndpoints endpoints) {
		StrictServerWebExchangeFirewall strict = new StrictServerWebExchangeFirewall();
		return (exchange) -> endpoints.of(exchange).isPresent() ? strict.getFirewalledExchange(exchange)
				: Mono.just(exchange);
	}

	/** A request the firewall refuses is a problem answer (400) like every other. */
	@Bean
	ServerExchangeRejectedHandler problemExchangeRejectedHandler() {
		return (exchange, rejected) -> Mono
			.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request's path is refused: "
					+ rejected.getMessage()));
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
