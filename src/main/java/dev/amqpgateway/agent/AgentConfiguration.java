package dev.amqpgateway.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.amqpgateway.broker.ReconnectBackOff;
import dev.amqpgateway.config.AsyncAgent;
import dev.amqpgateway.config.GatewayProperties;
import dev.amqpgateway.consume.ConsumerBackends;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The async agents: each with a client of its own, whose connection pool holds {@code workers}
 * connections per backend host, so that one agent's slow or unreachable backend never holds the
 * connections of another; on the server's event loops.
 */
@Configuration(proxyBeanMethods = false)
class AgentConfiguration {

	private static final Log logger = LogFactory.getLog(AgentConfiguration.class);

	@Bean
	AsyncAgents asyncAgents(GatewayProperties properties, ConsumerBackends backends, ReactorResourceFactory resources,
			MeterRegistry registry) {
		List<Agent> agents = new ArrayList<>();
		List<ConnectionProvider> pools = new ArrayList<>();
		Duration longest = Duration.ZERO;
		for (AsyncAgent agent : properties.asyncAgents()) {
			Duration timeout = properties.timeoutOf(agent);
			longest = (timeout.compareTo(longest) > 0) ? timeout : longest;
			// A worker asks for a connection for its next message while its last response
			// completes, before that connection is back in the pool, so most acquisitions wait a
			// moment for it. The pool's own acquire timeout would schedule a timer on Reactor's
			// parallel scheduler (and wake its thread) for each of them; the agent's timeout already
			// bounds the whole call, waiting for a connection included.
			ConnectionProvider pool = ConnectionProvider.builder("agent-" + agent.name())
				.maxConnections(Math.max(1, agent.consumer().workers()))
				.pendingAcquireMaxCount(-1)
				.pendingAcquireTimeout(Duration.ZERO)
				.build();
			pools.add(pool);
			WebClient client = WebClient.builder()
				.clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool).runOn(resources.getLoopResources())))
				.build();
			List<HttpTarget> targets = agent.backend().stream().map((backend) -> new HttpTarget(client, backend)).toList();
			agent.backend()
				.stream()
				.filter((backend) -> "GET".equalsIgnoreCase(backend.method()))
				.forEach((backend) -> logger.warn("Async agent " + agent.name() + " sends its messages to "
						+ backend.urlPattern() + " with GET (KrakenD's default method): a GET request carries the "
						+ "message as its body, which many servers ignore; set method: POST"));
			agents.add(new Agent(agent.name(), backends.agent(agent.name()), targets, agent.consumer().workers(), timeout,
					rateLimiter(agent), new ReconnectBackOff(agent.connection().backoffStrategy(), properties.maxBackoff(), 0),
					new AgentMetrics(registry, agent.name())));
		}
		return new AsyncAgents(agents, longest.plusSeconds(1), pools);
	}

	private static @Nullable RateLimiter rateLimiter(AsyncAgent agent) {
		double rate = agent.consumer().maxRate();
		if (rate <= 0) {
			return null;
		}
		RateLimiterConfig config = RateLimiterConfig.custom()
			.limitForPeriod(1)
			.limitRefreshPeriod(Duration.ofNanos(Math.max(1, (long) (1_000_000_000L / rate))))
			.timeoutDuration(Duration.ofDays(1))
			.build();
		return RateLimiter.of("agent-" + agent.name(), config);
	}

}
