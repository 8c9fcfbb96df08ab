package dev.amqpgateway.http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.LeaseBook;
import dev.amqpgateway.http.problem.MisdirectedReceiptException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebInputException;

/**
 * Answers {@code POST <endpoint>/ack}, {@code /nack} and {@code /extend} of a lease endpoint: each
 * receipt, in the order sent, with what became of its message — {@code acked}, {@code requeued},
 * {@code rejected}, {@code extended}, {@code gone} (the lease expired or its channel was lost: the
 * broker has the message again) or {@code invalid} (not a receipt of this endpoint). A receipt
 * that is not genuine changes nothing. Receipts of another instance are answered 421, naming it.
 */
final class ReceiptHandler {

	/** Most receipts in one request. */
	static final int MAX_RECEIPTS = 10_000;

	private final Endpoint endpoint;

	private final List<ConsumerBackend> backends;

	private final Receipts receipts;

	private final GatewayInstance instance;

	private final JsonMapper mapper;

	private final Duration cap;

	ReceiptHandler(Endpoint endpoint, List<ConsumerBackend> backends, Receipts receipts, GatewayInstance instance,
			JsonMapper mapper, Duration cap) {
		this.endpoint = endpoint;
		this.backends = backends;
		this.receipts = receipts;
		this.instance = instance;
		this.mapper = mapper;
		this.cap = cap;
	}

	Mono<ServerResponse> ack(ServerRequest request) {
		return settle(request, Action.ACK);
	}

	Mono<ServerResponse> nack(ServerRequest request) {
		return settle(request, Action.NACK);
	}

	Mono<ServerResponse> extend(ServerRequest request) {
		return settle(request, Action.EXTEND);
	}

	private Mono<ServerResponse> settle(ServerRequest request, Action action) {
		return request.bodyToMono(byte[].class)
			.defaultIfEmpty(new byte[0])
			.map((body) -> answer(read(body), action))
			.flatMap((answer) -> ServerResponse.ok()
				.contentType(MediaType.APPLICATION_JSON)
				.header("Cache-Control", "no-store")
				.bodyValue(this.mapper.writeValueAsBytes(answer)));
	}

	private JsonNode read(byte[] body) {
		JsonNode json;
		try {
			json = this.mapper.readTree(body);
		}
		catch (JacksonException ex) {
			throw new ServerWebInputException("The body must be a JSON object such as {\"receipts\": [\"...\"]}");
		}
		if (json == null || !json.isObject() || !json.path("receipts").isArray() || json.path("receipts").isEmpty()) {
			throw new ServerWebInputException("The body must be a JSON object with a non-empty array \"receipts\"");
		}
		if (json.path("receipts").size() > MAX_RECEIPTS) {
			throw new ServerWebInputException("At most " + MAX_RECEIPTS + " receipts per request");
		}
		return json;
	}

	private ObjectNode answer(JsonNode json, Action action) {
		Duration extension = (action == Action.EXTEND) ? extension(json) : Duration.ZERO;
		LeaseBook.Settlement nack = LeaseBook.Settlement.REQUEUE;
		if (action == Action.NACK) {
			JsonNode requeue = json.path("requeue");
			if (!requeue.isMissingNode() && !requeue.isBoolean()) {
				throw new ServerWebInputException("\"requeue\" must be true or false");
			}
			nack = requeue.asBoolean(true) ? LeaseBook.Settlement.REQUEUE : LeaseBook.Settlement.REJECT;
		}
		List<Receipts.Receipt> read = new ArrayList<>();
		for (JsonNode receipt : json.path("receipts")) {
			Receipts.Receipt genuine = receipt.isString() ? this.receipts.read(receipt.asString()) : null;
			if (genuine != null && !genuine.instance().equals(this.instance.name())) {
				throw new MisdirectedReceiptException(genuine.instance(), this.instance.name());
			}
			read.add(genuine);
		}
		ObjectNode answer = this.mapper.createObjectNode();
		ArrayNode outcomes = answer.putArray("receipts");
		int i = 0;
		for (JsonNode receipt : json.path("receipts")) {
			ObjectNode outcome = outcomes.addObject();
			outcome.set("receipt", receipt);
			Receipts.Receipt genuine = read.get(i++);
			ConsumerBackend backend = backendOf(genuine);
			if (genuine == null || backend == null) {
				outcome.put("outcome", "invalid");
			}
			else if (!genuine.process().equals(this.instance.process())) {
				// This instance restarted since: its channels, and the leases on them, are gone.
				outcome.put("outcome", "gone");
			}
			else if (action == Action.EXTEND) {
				Instant expires = backend.leases().extend(genuine.key(), extension);
				outcome.put("outcome", (expires != null) ? "extended" : "gone");
				if (expires != null) {
					outcome.put("lease_expires_at", expires.toString());
				}
			}
			else {
				outcome.put("outcome", backend.leases().settle(genuine.key(),
						(action == Action.ACK) ? LeaseBook.Settlement.ACK : nack));
			}
		}
		return answer;
	}

	private Duration extension(JsonNode json) {
		JsonNode seconds = json.path("seconds");
		if (!seconds.canConvertToInt() || seconds.asInt() < 1) {
			throw new ServerWebInputException("\"seconds\" must be a whole number of seconds, at least 1");
		}
		Duration asked = Duration.ofSeconds(seconds.asInt());
		return (asked.compareTo(this.cap) > 0) ? this.cap : asked;
	}

	private ConsumerBackend backendOf(Receipts.Receipt receipt) {
		if (receipt == null || !receipt.endpoint().equals(this.endpoint.endpoint()) || receipt.backend() < 0
				|| receipt.backend() >= this.backends.size()) {
			return null;
		}
		return this.backends.get(receipt.backend());
	}

	private enum Action {

		ACK, NACK, EXTEND

	}

}
