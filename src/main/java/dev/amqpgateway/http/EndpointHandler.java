package dev.amqpgateway.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.amqpgateway.config.AckMode;
import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.Encoding;
import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.Delivery;
import dev.amqpgateway.consume.DeliveryHeaders;
import dev.amqpgateway.consume.Lease;
import dev.amqpgateway.http.problem.UndecodableMessageException;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers {@code GET} on one consumer endpoint: asks every backend for its next message in
 * parallel, waits at most the endpoint's timeout, merges what arrived, writes it, and acknowledges
 * each message only once every byte of the response carrying it was written to the connection.
 * A raw body is written as it came; batches and the envelope are {@link EnvelopeDrain}'s, event
 * streams {@link EventStream}'s.
 */
final class EndpointHandler implements HandlerFunction<ServerResponse> {

	static final String COMPLETED = DrainAnswers.COMPLETED;

	private final Endpoint endpoint;

	private final Duration timeout;

	private final List<ConsumerBackend> backends;

	private final MessageDecoder decoder;

	private final JsonMapper mapper;

	private final DrainAnswers answers;

	private final EnvelopeDrain envelope;

	private final EventStream stream;

	EndpointHandler(Endpoint endpoint, Duration timeout, List<ConsumerBackend> backends, MessageDecoder decoder,
			JsonMapper mapper, @Nullable Receipts receipts, List<Integer> streamCredits) {
		Receipts leaseReceipts = (endpoint.ackMode() == AckMode.LEASE) ? receipts : null;
		this.answers = new DrainAnswers(endpoint.endpoint());
		this.envelope = new EnvelopeDrain(endpoint, backends, decoder, mapper, leaseReceipts, this.answers);
		this.stream = new EventStream(endpoint.endpoint(), List.copyOf(backends), streamCredits, decoder, mapper,
				leaseReceipts, endpoint.leaseTimeout(),
				(backend, delivery) -> (undecodable, reason) -> this.answers.settleUndecodable(backend, undecodable,
						reason));
		this.endpoint = endpoint;
		this.timeout = timeout;
		this.backends = List.copyOf(backends);
		this.decoder = decoder;
		this.mapper = mapper;
	}

	@Override
	public Mono<ServerResponse> handle(ServerRequest request) {
		if (request.headers().accept().contains(MediaType.TEXT_EVENT_STREAM)) {
			return ServerResponse.ok().build((exchange, context) -> this.stream.write(exchange));
		}
		return Mono.fromCallable(() -> DrainRequest.of(request, this.endpoint, this.timeout))
			.flatMap((drain) -> ServerResponse.ok().build((exchange, context) -> switch (drain.shape()) {
				case MERGED -> drain(exchange, drain.firstWait());
				case RAW -> drainRaw(exchange, drain.firstWait());
				case ENVELOPE -> this.envelope.drain(exchange, drain);
			}));
	}

	private Mono<Void> drain(ServerWebExchange exchange, Duration wait) {
		return Mono.defer(() -> {
			Lease lease = new Lease();
			Mono<List<BackendAnswer>> answers = (this.backends.size() == 1)
					? ask(this.backends.get(0), lease, wait).map(List::of)
					: Mono.zip(this.backends.stream().map((backend) -> ask(backend, lease, wait)).toList(),
							EndpointHandler::answers);
			return answers.flatMap((all) -> respond(exchange, lease, all))
				.doOnCancel(lease::release)
				.doOnError((ex) -> lease.release());
		});
	}

	private Mono<Void> drainRaw(ServerWebExchange exchange, Duration wait) {
		ConsumerBackend backend = this.backends.get(0);
		return Mono.defer(() -> {
			Lease lease = new Lease();
			return ask(backend, lease, wait).flatMap((answer) -> {
				Delivery delivery = answer.delivery();
				if (delivery != null) {
					ServerHttpResponse response = exchange.getResponse();
					String contentType = DeliveryHeaders.contentType(delivery);
					response.getHeaders().set(HttpHeaders.CONTENT_TYPE,
							(contentType != null) ? contentType : MediaType.APPLICATION_OCTET_STREAM_VALUE);
					DeliveryHeaders.of(delivery, backend.deliveryCount(delivery)).forEach(response.getHeaders()::set);
					return DrainAnswers.write(exchange, lease, delivery.body(), List.of(delivery), true, backend.metrics()::delivered);
				}
				lease.release();
				if (answer.unavailable() != null) {
					return Mono.error(this.answers.brokerUnavailable(List.of(answer.unavailable())));
				}
				backend.metrics().emptyPoll();
				return DrainAnswers.noContent(exchange);
			}).doOnCancel(lease::release).doOnError((ex) -> lease.release());
		});
	}

	private Mono<BackendAnswer> ask(ConsumerBackend backend, Lease lease, Duration wait) {
		long start = System.nanoTime();
		return backend.receive(lease, wait)
			.map((delivery) -> BackendAnswer.delivered(backend, delivery))
			.defaultIfEmpty(BackendAnswer.empty(backend))
			.onErrorResume(BackendUnavailableException.class, (ex) -> Mono.just(BackendAnswer.unavailable(backend, ex)))
			.doOnNext((answer) -> backend.metrics().waited(Duration.ofNanos(System.nanoTime() - start)));
	}

	private Mono<Void> respond(ServerWebExchange exchange, Lease lease, List<BackendAnswer> answers) {
		if (answers.size() == 1 && passesThrough(answers.get(0))) {
			BackendAnswer answer = answers.get(0);
			Delivery delivery = Objects.requireNonNull(answer.delivery(), "passesThrough accepts only a delivery");
			exchange.getResponse().getHeaders().setContentType(MediaType.APPLICATION_JSON);
			return DrainAnswers.write(exchange, lease, delivery.body(), List.of(delivery), true,
					answer.backend().metrics()::delivered);
		}
		ObjectNode merged = this.mapper.createObjectNode();
		List<BackendAnswer> written = new ArrayList<>();
		List<String> undecodable = new ArrayList<>();
		List<BackendUnavailableException> unavailable = new ArrayList<>();
		for (BackendAnswer answer : answers) {
			ConsumerBackend backend = answer.backend();
			if (answer.delivery() != null) {
				try {
					merge(merged, backend.backend(), this.decoder.decode(backend.backend(), answer.delivery().body()));
					written.add(answer);
				}
				catch (MessageDecoder.UndecodableBodyException ex) {
					undecodable.add(this.answers.settleUndecodable(backend, answer.delivery(), ex.reason()));
				}
			}
			else if (answer.unavailable() != null) {
				unavailable.add(answer.unavailable());
			}
			else {
				backend.metrics().emptyPoll();
			}
		}
		if (!written.isEmpty()) {
			exchange.getResponse().getHeaders().setContentType(MediaType.APPLICATION_JSON);
			return DrainAnswers.write(exchange, lease, this.mapper.writeValueAsBytes(merged),
					written.stream().map(BackendAnswer::delivery).map(Objects::requireNonNull).toList(),
					written.size() == answers.size(),
					() -> written.forEach((answer) -> answer.backend().metrics().delivered()));
		}
		lease.release();
		if (!undecodable.isEmpty()) {
			return Mono.error(new UndecodableMessageException(String.join("; ", undecodable)));
		}
		if (unavailable.size() == answers.size()) {
			return Mono.error(this.answers.brokerUnavailable(unavailable));
		}
		return DrainAnswers.noContent(exchange);
	}

	/**
	 * Whether a lone backend's message can be written as it is: a JSON object for a json backend
	 * without group is its own answer, and validating it costs less than parsing and writing it again.
	 */
	private boolean passesThrough(BackendAnswer answer) {
		Backend backend = answer.backend().backend();
		return answer.delivery() != null && backend.encoding() == Encoding.JSON && backend.group().isEmpty()
				&& this.decoder.isJsonObject(answer.delivery().body());
	}

	private void merge(ObjectNode merged, Backend backend, ObjectNode data) {
		if (backend.group().isEmpty()) {
			merged.setAll(data);
		}
		else {
			merged.set(backend.group(), data);
		}
	}

	private static List<BackendAnswer> answers(Object[] answers) {
		List<BackendAnswer> list = new ArrayList<>(answers.length);
		for (Object answer : answers) {
			list.add((BackendAnswer) answer);
		}
		return list;
	}

}
