package dev.amqpgateway.security;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import dev.amqpgateway.config.AckMode;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.OutputEncoding;
import dev.amqpgateway.config.RateLimit;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limits of one endpoint, asked as fast as a thread can ask them: the rate served holds
 * within 10% of the configured one over five seconds, and each client has its own limit.
 */
class EndpointRateLimitTests {

	@Test
	void theRateServedHoldsWithinTenPercentOverFiveSeconds() {
		// 10 per 100 ms: 100 a second, 500 in five seconds, over fifty periods
		EndpointRateLimit limit = new EndpointRateLimit(endpoint("/steady"),
				new RateLimit(10, 0, RateLimit.Strategy.IP, null, Duration.ofMillis(100)));
		long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		int served = 0;
		int refused = 0;
		while (System.nanoTime() < end) {
			if (limit.acquire(request("10.0.0.1", null)) == null) {
				served++;
			}
			else {
				refused++;
			}
		}
		assertThat(refused).as("refused").isGreaterThan(10 * served);
		assertThat(served).as("served in 5 s at 100/s").isBetween(450, 550);
	}

	@Test
	void eachClientHasItsOwnLimitAndTheEndpointOneForAll() {
		EndpointRateLimit limit = new EndpointRateLimit(endpoint("/orders"),
				new RateLimit(3, 2, RateLimit.Strategy.HEADER, "X-Client", Duration.ofHours(1)));
		assertThat(limit.acquire(request("10.0.0.1", "a"))).isNull();
		assertThat(limit.acquire(request("10.0.0.1", "a"))).isNull();
		SecurityProblem overClient = limit.acquire(request("10.0.0.1", "a"));
		assertThat(overClient).isNotNull();
		assertThat(overClient.getBody().getDetail()).contains("This client");
		assertThat(overClient.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).satisfies(
				(seconds) -> assertThat(Long.parseLong(seconds)).isBetween(3000L, 3600L));
		assertThat(limit.acquire(request("10.0.0.1", "b"))).isNull();
		SecurityProblem overEndpoint = limit.acquire(request("10.0.0.2", null));
		assertThat(overEndpoint).isNotNull();
		assertThat(overEndpoint.getBody().getDetail()).startsWith("/orders has served the 3 requests");
	}

	@Test
	void aLimitAppliesToItsEndpointsPathWithItsParameters() {
		EndpointRateLimit limit = new EndpointRateLimit(endpoint("/orders/{id}"),
				new RateLimit(1, 0, RateLimit.Strategy.IP, null, Duration.ofSeconds(1)));
		assertThat(limit.appliesTo(exchange("/orders/42", "10.0.0.1", null))).isTrue();
		assertThat(limit.appliesTo(exchange("/orders", "10.0.0.1", null))).isFalse();
		assertThat(limit.appliesTo(exchange("/orders/42/more", "10.0.0.1", null))).isFalse();
	}

	private static Endpoint endpoint(String path) {
		return new Endpoint(path, null, null, List.of(), List.of(), OutputEncoding.JSON, false, 10, AckMode.ON_WRITE,
				Duration.ofSeconds(30), 1000, null, null);
	}

	private static MockServerWebExchange request(String address, String client) {
		return exchange("/orders", address, client);
	}

	private static MockServerWebExchange exchange(String path, String address, String client) {
		MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get(path)
			.remoteAddress(new InetSocketAddress(address, 40000));
		if (client != null) {
			request.header("X-Client", client);
		}
		return MockServerWebExchange.from(request);
	}

}
