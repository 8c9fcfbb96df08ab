package dev.amqpgateway.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real HTTP server for async agents to call in tests: it records every request it gets (path,
 * body, headers, time of arrival) and answers each path as the test says, by default 200 at once.
 */
public final class HttpSink implements AutoCloseable {

	private final Map<String, Function<Request, Reply>> replies = new ConcurrentHashMap<>();

	private final List<Request> requests = new CopyOnWriteArrayList<>();

	private final DisposableServer server;

	private HttpSink(int port) {
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.handle((request, response) -> request.receive().aggregate().asString(StandardCharsets.UTF_8)
				.defaultIfEmpty("")
				.flatMap((body) -> {
					Request received = new Request(request.method().name(), request.path(), body,
							request.requestHeaders().copy(), System.nanoTime());
					this.requests.add(received);
					Reply reply = this.replies.getOrDefault(received.path(), (any) -> Reply.status(200)).apply(received);
					return Mono.delay(reply.delay()).then(response.status(reply.status()).send().then());
				}))
			.bindNow();
	}

	/**
	 * Start a sink on a free port.
	 * @return the running sink
	 */
	public static HttpSink start() {
		return new HttpSink(0);
	}

	/**
	 * Start a sink on the given port, such as one a test reserved earlier for a backend that comes up late.
	 * @param port the port
	 * @return the running sink
	 */
	public static HttpSink start(int port) {
		return new HttpSink(port);
	}

	/**
	 * Say how requests to a path are answered.
	 * @param path the request path, without its leading slash
	 * @param reply the reply to each request
	 * @return this sink
	 */
	public HttpSink on(String path, Function<Request, Reply> reply) {
		this.replies.put(path, reply);
		return this;
	}

	/**
	 * The sink's base URL.
	 * @return such as {@code http://127.0.0.1:40123}
	 */
	public String url() {
		return "http://127.0.0.1:" + this.server.port();
	}

	/**
	 * Every request to a path, in the order they arrived.
	 * @param path the request path, without its leading slash
	 * @return the requests
	 */
	public List<Request> requests(String path) {
		return this.requests.stream().filter((request) -> request.path().equals(path)).toList();
	}

	@Override
	public void close() {
		this.server.disposeNow();
	}

	/**
	 * A request the sink got.
	 *
	 * @param method the HTTP method
	 * @param path the path, without its leading slash
	 * @param body the body, as UTF-8 text
	 * @param headers the request headers
	 * @param arrivedNanos when it arrived, on {@link System#nanoTime()}'s clock
	 */
	public record Request(String method, String path, String body, HttpHeaders headers, long arrivedNanos) {
	}

	/**
	 * How the sink answers a request.
	 *
	 * @param status the status to answer with
	 * @param delay how long to wait before answering
	 */
	public record Reply(int status, Duration delay) {

		public static Reply status(int status) {
			return new Reply(status, Duration.ZERO);
		}

		public static Reply after(Duration delay, int status) {
			return new Reply(status, delay);
		}

	}

}
