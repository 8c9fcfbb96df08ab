package dev.amqpgateway.security;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.RateLimit;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import org.jspecify.annotations.Nullable;

import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The rate limits of one endpoint: {@code max_rate} requests per period from all clients, and
 * {@code client_max_rate} per client, each a Resilience4j {@link AtomicRateLimiter} that never
 * waits: a request over a limit is refused at once.
 */
final class EndpointRateLimit {

	/** Client limiters kept before idle ones are swept; the sweep point doubles with live clients. */
	private static final int SWEEP_AT = 10_000;

	private final String path;

	private final List<PathPattern> patterns;

	private final RateLimit settings;

	private final @Nullable AtomicRateLimiter endpoint;

	private final @Nullable RateLimiterConfig clientConfig;

	private final Map<String, Client> clients = new ConcurrentHashMap<>();

	private volatile int sweepAt = SWEEP_AT;

	EndpointRateLimit(Endpoint endpoint, RateLimit settings) {
		this.path = endpoint.endpoint();
		this.patterns = List.of(EndpointPaths.of(endpoint));
		this.settings = settings;
		this.endpoint = (settings.maxRate() > 0)
				? new AtomicRateLimiter(this.path, config(settings.maxRate(), settings.every())) : null;
		this.clientConfig = (settings.clientMaxRate() > 0) ? config(settings.clientMaxRate(), settings.every()) : null;
	}

	private static RateLimiterConfig config(int rate, Duration every) {
		return RateLimiterConfig.custom()
			.limitForPeriod(rate)
			.limitRefreshPeriod(every)
			.timeoutDuration(Duration.ZERO)
			.build();
	}

	/**
	 * Whether this endpoint answers the request.
	 * @param exchange the request
	 * @return true when its path is the endpoint's
	 */
	boolean appliesTo(ServerWebExchange exchange) {
		return EndpointPaths.matches(this.patterns, exchange);
	}

	/**
	 * Take a permit for the request, from its client's limit and then from the endpoint's.
	 * @param exchange the request
	 * @return null when it may go on, else the problem that refuses it
	 */
	@Nullable SecurityProblem acquire(ServerWebExchange exchange) {
		if (this.clientConfig != null) {
			AtomicRateLimiter client = client(clientOf(exchange));
			if (!client.acquirePermission()) {
				return SecurityProblem.tooManyRequests("This client has used up the " + this.settings.clientMaxRate()
						+ " requests per " + every() + " it may make on " + this.path + ".", waitOf(client));
			}
		}
		if (this.endpoint != null && !this.endpoint.acquirePermission()) {
			return SecurityProblem.tooManyRequests(this.path + " has served the " + this.settings.maxRate()
					+ " requests per " + every() + " it may serve.", waitOf(this.endpoint));
		}
		return null;
	}

	private String every() {
		Duration every = this.settings.every();
		return every.equals(Duration.ofSeconds(1)) ? "second" : every.toString().substring(2).toLowerCase(Locale.ROOT);
	}

	private static Duration waitOf(AtomicRateLimiter limiter) {
		return Duration.ofNanos(Math.max(0, limiter.getDetailedMetrics().getNanosToWait()));
	}

	private String clientOf(ServerWebExchange exchange) {
		if (this.settings.strategy() == RateLimit.Strategy.HEADER && this.settings.key() != null) {
			String value = exchange.getRequest().getHeaders().getFirst(this.settings.key());
			if (value != null && !value.isEmpty()) {
				return "header:" + value;
			}
		}
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		return "ip:" + ((remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress() : "");
	}

	private AtomicRateLimiter client(String id) {
		long now = System.nanoTime();
		Client client = this.clients.get(id);
		if (client == null) {
			client = this.clients.computeIfAbsent(id,
					(key) -> new Client(new AtomicRateLimiter(this.path + " " + key, this.clientConfig)));
			if (this.clients.size() > this.sweepAt) {
				sweep(now);
			}
		}
		client.lastUsed = now;
		return client.limiter;
	}

	// A limiter left alone for two whole periods has all its permits back: dropping it, and making a
	// new one when the client returns, forgets nothing. Without this a client per IP would never go.
	private void sweep(long now) {
		long idle = 2 * this.settings.every().toNanos();
		this.clients.values().removeIf((client) -> now - client.lastUsed > idle);
		this.sweepAt = Math.max(SWEEP_AT, 2 * this.clients.size());
	}

	/** One client's limiter and when it was last asked, which the sweep reads without a lock: a late read only keeps a limiter longer. */
	private static final class Client {

		private final AtomicRateLimiter limiter;

		private volatile long lastUsed;

		Client(AtomicRateLimiter limiter) {
			this.limiter = limiter;
		}

	}

}
