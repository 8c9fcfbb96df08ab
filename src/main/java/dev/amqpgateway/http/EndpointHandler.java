package dev.amqpgateway.http;

import java.time.Duration;
import java.time.Instant;
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
import dev.amqpgateway.consume.LeaseBook;
import dev.amqpgateway.http.problem.BrokerUnavailableException;
import dev.amqpgateway.http.problem.TooManyLeasesException;
import dev.amqpgateway.http.problem.UndecodableMessageException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
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
 */
final class EndpointHandler implements HandlerFunction<ServerResponse> {

	static final String COMPLETED = "X-Gateway-Completed";

	private static final Log logger = LogFactory.getLog(EndpointHandler.class);

	private final Endpoint endpoint;

	private final String path;

	private final Duration timeout;

	private final List<ConsumerBackend> backends;

	private final MessageDecoder decoder;

	private final JsonMapper mapper;

	/** Signs the receipts of a lease endpoint; null for an endpoint that acknowledges on write. */
	private final @Nullable Receipts receipts;

	private final EventStream stream;

	EndpointHandler(Endpoint endpoint, Duration timeout, List<ConsumerBackend> backends, MessageDecoder decoder,
			JsonMapper mapper, @Nullable Receipts receipts, List<Integer> streamCredits) {
		this.receipts = (endpoint.ackMode() == AckMode.LEASE) ? receipts : null;
		this.stream = new EventStream(endpoint.endpoint(), List.copyOf(backends), streamCredits, decoder, mapper,
				this.receipts, endpoint.leaseTimeout(),
				(backend, delivery) -> (undecodable, reason) -> settleUndecodable(backend, undecodable, reason));
		this.endpoint = endpoint;
		this.path = endpoint.endpoint();
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
				case ENVELOPE -> drainEnvelope(exchange, drain);
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
					return write(exchange, lease, delivery.body(), List.of(delivery), true, backend.metrics()::delivered);
				}
				lease.release();
				if (answer.unavailable() != null) {
					return Mono.error(brokerUnavailable(List.of(answer.unavailable())));
				}
				backend.metrics().emptyPoll();
				return noContent(exchange);
			}).doOnCancel(lease::release).doOnError((ex) -> lease.release());
		});
	}

	private Mono<Void> drainEnvelope(ServerWebExchange exchange, DrainRequest drain) {
		return Mono.defer(() -> {
			if (this.receipts != null) {
				refuseBeyondMaxLeases();
			}
			Lease lease = new Lease();
			List<Mono<Envelope.Batch>> asks = this.backends.stream()
				.map((backend) -> askBatch(backend, lease, drain))
				.toList();
			Mono<List<Envelope.Batch>> batches = (asks.size() == 1) ? asks.get(0).map(List::of)
					: Mono.zip(asks, (all) -> java.util.Arrays.stream(all).map(Envelope.Batch.class::cast).toList());
			return batches.flatMap((all) -> respondEnvelope(exchange, lease, all))
				.doOnCancel(lease::release)
				.doOnError((ex) -> lease.release());
		});
	}

	private Mono<Envelope.Batch> askBatch(ConsumerBackend backend, Lease lease, DrainRequest drain) {
		long start = System.nanoTime();
		return backend.receive(lease, drain.max(), drain.firstWait())
			.map((deliveries) -> new Envelope.Batch(backend, deliveries, null))
			.defaultIfEmpty(new Envelope.Batch(backend, List.of(), null))
			.onErrorResume(BackendUnavailableException.class,
					(ex) -> Mono.just(new Envelope.Batch(backend, List.of(), ex)))
			.doOnNext((batch) -> backend.metrics().waited(Duration.ofNanos(System.nanoTime() - start)));
	}

	private Mono<Void> respondEnvelope(ServerWebExchange exchange, Lease lease, List<Envelope.Batch> batches) {
		Envelope envelope = new Envelope(this.mapper);
		List<BackendUnavailableException> unavailable = new ArrayList<>();
		boolean completed = true;
		for (Envelope.Batch batch : batches) {
			envelope.add(batch, this.decoder,
					(delivery, reason) -> settleUndecodable(batch.backend(), delivery, reason));
			if (batch.deliveries().isEmpty()) {
				completed = false;
				if (batch.unavailable() != null) {
					unavailable.add(batch.unavailable());
				}
				else {
					batch.backend().metrics().emptyPoll();
				}
			}
		}
		if (envelope.isEmpty()) {
			lease.release();
			return (unavailable.size() == batches.size()) ? Mono.error(brokerUnavailable(unavailable))
					: noContent(exchange);
		}
		exchange.getResponse().getHeaders().setContentType(MediaType.APPLICATION_JSON);
		if (this.receipts != null) {
			return writeLeased(exchange, lease, envelope, batches, completed);
		}
		return write(exchange, lease, envelope.toBytes(this.mapper), envelope.written(), completed,
				() -> batches.forEach((batch) -> batch.deliveries().stream()
					.filter(envelope.written()::contains)
					.forEach((delivery) -> batch.backend().metrics().delivered())));
	}

	/**
	 * Lease the answered messages and write the envelope with their receipts. The leases exist
	 * before the first byte goes out, so that a client may acknowledge as soon as it reads; a write
	 * that fails requeues them.
	 */
	private Mono<Void> writeLeased(ServerWebExchange exchange, Lease lease, Envelope envelope,
			List<Envelope.Batch> batches, boolean completed) {
		Receipts receipts = Objects.requireNonNull(this.receipts);
		List<Runnable> requeues = new ArrayList<>();
		Instant expires = null;
		for (Envelope.Batch batch : batches) {
			ConsumerBackend backend = batch.backend();
			for (Delivery delivery : batch.deliveries()) {
				if (!envelope.written().contains(delivery)) {
					continue;
				}
				LeaseBook.Leased leased = backend.lease(delivery, this.endpoint.leaseTimeout());
				envelope.receipt(delivery, receipts.issue(this.path, backend.index(), leased.key()));
				expires = (expires == null || leased.expires().isBefore(expires)) ? leased.expires() : expires;
				requeues.add(() -> backend.leases().settle(leased.key(), LeaseBook.Settlement.REQUEUE));
			}
		}
		lease.keep(envelope.written());
		if (expires != null) {
			envelope.leaseExpiresAt(expires);
		}
		byte[] body = envelope.toBytes(this.mapper);
		return BodyWriter.write(ok(exchange, body, completed), body).doOnNext((inFull) -> {
			if (inFull) {
				batches.forEach((batch) -> batch.deliveries().stream()
					.filter(envelope.written()::contains)
					.forEach((delivery) -> batch.backend().metrics().delivered()));
			}
			else {
				requeues.forEach(Runnable::run);
			}
		}).then();
	}

	/**
	 * A backend with {@code max_leases} messages on lease takes no more: 429, until a lease ends.
	 */
	private void refuseBeyondMaxLeases() {
		for (ConsumerBackend backend : this.backends) {
			LeaseBook leases = backend.leases();
			if (leases.size() >= this.endpoint.maxLeases()) {
				Instant next = leases.nextExpiry();
				long seconds = (next != null) ? Math.max(1, Duration.between(Instant.now(), next).toSeconds() + 1) : 1;
				throw new TooManyLeasesException("Backend " + backend.index() + " of " + this.path + " has "
						+ leases.size() + " messages on lease, its max_leases; acknowledge some, or wait for a lease to expire",
						Duration.ofSeconds(seconds));
			}
		}
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
			return write(exchange, lease, delivery.body(), List.of(delivery), true,
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
					undecodable.add(settleUndecodable(backend, answer.delivery(), ex.reason()));
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
			return write(exchange, lease, this.mapper.writeValueAsBytes(merged),
					written.stream().map(BackendAnswer::delivery).map(Objects::requireNonNull).toList(),
					written.size() == answers.size(),
					() -> written.forEach((answer) -> answer.backend().metrics().delivered()));
		}
		lease.release();
		if (!undecodable.isEmpty()) {
			return Mono.error(new UndecodableMessageException(String.join("; ", undecodable)));
		}
		if (unavailable.size() == answers.size()) {
			return Mono.error(brokerUnavailable(unavailable));
		}
		return noContent(exchange);
	}

	private static Mono<Void> noContent(ServerWebExchange exchange) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.NO_CONTENT);
		response.getHeaders().set(COMPLETED, "false");
		return response.setComplete();
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

	/**
	 * The response as a 200 that carries messages: never cached, saying whether every backend answered.
	 */
	private static ServerHttpResponse ok(ServerWebExchange exchange, byte[] body, boolean completed) {
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
	private Mono<Void> write(ServerWebExchange exchange, Lease lease, byte[] body, List<Delivery> deliveries,
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

	private void merge(ObjectNode merged, Backend backend, ObjectNode data) {
		if (backend.group().isEmpty()) {
			merged.setAll(data);
		}
		else {
			merged.set(backend.group(), data);
		}
	}

	private String settleUndecodable(ConsumerBackend backend, Delivery delivery, String reason) {
		boolean rejected = backend.settleFailed(delivery);
		String fate = rejected ? "rejected without requeue" : "requeued";
		String detail = "A message on queue '" + backend.queue() + "' could not be decoded as "
				+ backend.backend().encoding().name().toLowerCase().replace('_', '-') + " (" + reason + "); it was "
				+ fate + ".";
		logger.warn("Undecodable message: endpoint " + this.path + " queue " + backend.queue() + ": " + reason + "; "
				+ fate);
		return detail;
	}

	private BrokerUnavailableException brokerUnavailable(List<BackendUnavailableException> causes) {
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

	private static List<BackendAnswer> answers(Object[] answers) {
		List<BackendAnswer> list = new ArrayList<>(answers.length);
		for (Object answer : answers) {
			list.add((BackendAnswer) answer);
		}
		return list;
	}

}
