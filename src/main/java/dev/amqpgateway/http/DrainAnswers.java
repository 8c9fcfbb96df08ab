package dev.amqpgateway.http;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.Delivery;
import dev.amqpgateway.consume.Lease;
import dev.amqpgateway.http.problem.BrokerUnavailableException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * What every shape of a consumer endpoint's answer has in common: a 200 that carries messages and
 * acknowledges them once its last byte was written, a 204 when none came, a poison message
 * settled and described, the 503 of backends that cannot reach their brokers.
 */
final class DrainAnswers {

	static final String COMPLETED = "X-Gateway-Completed";

	/** Under the handler's name, where operators have always found these warnings. */
	private static final Log logger = LogFactory.getLog(EndpointHandler.class);

	private final String path;

	DrainAnswers(String path) {
		this.path = path;
	}

	static Mono<Void> noContent(ServerWebExchange exchange) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.NO_CONTENT);
		response.getHeaders().set(COMPLETED, "false");
		return response.setComplete();
	}

	/**
	 * The response as a 200 that carries messages: never cached, saying whether every backend answered.
	 */
	static ServerHttpResponse ok(ServerWebExchange exchange, byte[] body, boolean completed) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.OK);
		response.getHeaders().setContentLength(body.length);
		response.getHeaders().setCacheControl("no-store");
		response.getHeaders().set(COMPLETED, String.valueOf(completed));
		return response;
	}

	/**
	 * Write a 200 whose content type is set, and acknowledge its messages once every byte was written.
	 */
	static Mono<Void> write(ServerWebExchange exchange, Lease lease, byte[] body, List<Delivery> deliveries,
			boolean completed, Runnable countDelivered) {
		return BodyWriter.write(ok(exchange, body, completed), body).doOnNext((inFull) -> {
			if (inFull) {
				countDelivered.run();
				lease.complete(deliveries);
			}
			else {
				lease.release();
			}
		}).then();
	}

	/**
	 * Settle a message whose body could not be decoded, by the backend's poison rules.
	 * @return what to tell the client: what was wrong and what became of the message
	 */
	String settleUndecodable(ConsumerBackend backend, Delivery delivery, String reason) {
		boolean rejected = backend.settleFailed(delivery);
		String fate = rejected ? "rejected without requeue" : "requeued";
		String detail = "A message on queue '" + backend.queue() + "' could not be decoded as "
				+ backend.backend().encoding().name().toLowerCase().replace('_', '-') + " (" + reason + "); it was "
				+ fate + ".";
		logger.warn("Undecodable message: endpoint " + this.path + " queue " + backend.queue() + ": " + reason + "; "
				+ fate);
		return detail;
	}

	/**
	 * The 503 of an endpoint none of whose backends can reach its broker: retry when the first
	 * reconnect attempt is due.
	 */
	BrokerUnavailableException brokerUnavailable(List<BackendUnavailableException> causes) {
		Instant now = Instant.now();
		Duration retryAfter = causes.stream()
			.map(BackendUnavailableException::nextAttempt)
			.filter(Objects::nonNull)
			.map((next) -> Duration.between(now, next))
			.min(Duration::compareTo)
			.orElse(Duration.ofSeconds(1));
		String detail = "No backend of " + this.path + " can reach its broker: "
				+ String.join("; ", causes.stream().map(Throwable::getMessage).toList());
		return new BrokerUnavailableException(detail, retryAfter);
	}

}
