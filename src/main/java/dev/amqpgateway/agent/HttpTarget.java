package dev.amqpgateway.agent;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLException;

import dev.amqpgateway.config.AsyncAgent;
import dev.amqpgateway.consume.Delivery;
import io.netty.channel.ConnectTimeoutException;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One HTTP backend of an agent: its base URLs, taken in turn, and the path and method every
 * message is sent with.
 */
final class HttpTarget {

	private final WebClient client;

	private final List<String> hosts;

	private final String path;

	private final HttpMethod method;

	private final AtomicInteger next = new AtomicInteger();

	HttpTarget(WebClient client, AsyncAgent.HttpBackend backend) {
		this.client = client;
		this.hosts = backend.host().stream().map((host) -> host.replaceAll("/+$", "")).toList();
		this.path = backend.urlPattern().startsWith("/") ? backend.urlPattern() : "/" + backend.urlPattern();
		this.method = HttpMethod.valueOf(backend.method().toUpperCase(java.util.Locale.ROOT));
	}

	/**
	 * Send a message, and tell how the backend took it; never fails.
	 * @param delivery the message
	 * @param headers the request's headers
	 * @param timeout how long the backend has to answer
	 * @return the attempt
	 */
	Mono<Attempt> send(Delivery delivery, HttpHeaders headers, Duration timeout) {
		String url = this.hosts.get(Math.floorMod(this.next.getAndIncrement(), this.hosts.size())) + this.path;
		return this.client.method(this.method)
			.uri(url)
			.headers((target) -> target.addAll(headers))
			.bodyValue(delivery.body())
			.exchangeToMono((response) -> response.releaseBody().thenReturn(Attempt.answered(response.statusCode().value())))
			.timeout(timeout)
			.onErrorResume((ex) -> Mono.just(attemptOf(ex, timeout)));
	}

	/**
	 * The method, hosts and path, for logs and health; a password in a host URL is masked.
	 * @return such as {@code POST http://billing:8080 /invoices}
	 */
	String describe() {
		return this.method + " "
				+ this.hosts.stream().map((host) -> host.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:@/]*):[^@]*@", "$1:******@"))
					.collect(java.util.stream.Collectors.joining(", "))
				+ " " + this.path;
	}

	private static Attempt attemptOf(Throwable ex, Duration timeout) {
		if (ex instanceof TimeoutException) {
			return Attempt.timedOut(timeout.toMillis() + " ms");
		}
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof UnknownHostException
					|| cause instanceof NoRouteToHostException || cause instanceof ConnectTimeoutException
					|| cause instanceof SSLException) {
				return Attempt.unreachable(String.valueOf(cause.getMessage()));
			}
		}
		return Attempt.failed(ex.getClass().getSimpleName() + ": " + ex.getMessage());
	}

}
