package dev.amqpgateway.http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.Delivery;
import dev.amqpgateway.consume.Lease;
import dev.amqpgateway.consume.LeaseBook;
import dev.amqpgateway.http.problem.TooManyLeasesException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers a consumer endpoint's request with the envelope: up to {@code max} messages of each
 * backend with their metadata, acknowledged once the last byte was written, or, on a lease
 * endpoint, leased with a receipt each before the first byte goes out.
 */
final class EnvelopeDrain {

	private final Endpoint endpoint;

	private final String path;

	private final List<ConsumerBackend> backends;

	private final MessageDecoder decoder;

	private final JsonMapper mapper;

	/** Signs the receipts of a lease endpoint; null for an endpoint that acknowledges on write. */
	private final @Nullable Receipts receipts;

	private final DrainAnswers answers;

	EnvelopeDrain(Endpoint endpoint, List<ConsumerBackend> backends, MessageDecoder decoder, JsonMapper mapper,
			@Nullable Receipts receipts, DrainAnswers answers) {
		this.endpoint = endpoint;
		this.path = endpoint.endpoint();
		this.backends = List.copyOf(backends);
		this.decoder = decoder;
		this.mapper = mapper;
		this.receipts = receipts;
		this.answers = answers;
	}

	Mono<Void> drain(ServerWebExchange exchange, DrainRequest drain) {
		return Mono.defer(() -> {
			if (this.receipts != null) {
				refuseBeyondMaxLeases();
			}
			Lease lease = new Lease();
			List<Mono<Envelope.Batch>> asks = this.backends.stream()
				.map((backend) -> askBatch(backend, lease, drain))
				.toList();
			Mono<List<Envelope.Batch>> batches = (asks.size() == 1) ? asks.get(0).map(List::of)
					: Mono.zip(asks, (all) -> Arrays.stream(all).map(Envelope.Batch.class::cast).toList());
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
					(delivery, reason) -> this.answers.settleUndecodable(batch.backend(), delivery, reason));
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
			return (unavailable.size() == batches.size()) ? Mono.error(this.answers.brokerUnavailable(unavailable))
					: DrainAnswers.noContent(exchange);
		}
		exchange.getResponse().getHeaders().setContentType(MediaType.APPLICATION_JSON);
		if (this.receipts != null) {
			return writeLeased(exchange, lease, envelope, batches, completed);
		}
		return DrainAnswers.write(exchange, lease, envelope.toBytes(this.mapper), envelope.written(), completed,
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
		return BodyWriter.write(DrainAnswers.ok(exchange, body, completed), body).doOnNext((inFull) -> {
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

}
