package dev.amqpgateway.security;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Refuses a request over its endpoint's rate limit with 429 before the endpoint's handler runs:
 * as a filter it answers before anything is taken from a queue or published.
 */
final class RateLimitWebFilter implements WebFilter {

	private final List<EndpointRateLimit> limits;

	RateLimitWebFilter(List<EndpointRateLimit> limits) {
		this.limits = limits;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		for (EndpointRateLimit limit : this.limits) {
			if (limit.appliesTo(exchange)) {
				SecurityProblem refused = limit.acquire(exchange);
				return (refused != null) ? Mono.error(refused) : chain.filter(exchange);
			}
		}
		return chain.filter(exchange);
	}

}
