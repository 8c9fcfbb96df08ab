package dev.amqpgateway.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.amqpgateway.http.problem.BrokerUnavailableException;
import dev.amqpgateway.http.problem.ProblemTypes;
import dev.amqpgateway.http.problem.PublishProblem;
import dev.amqpgateway.publish.InvalidPublishRequestException;
import dev.amqpgateway.publish.ProducerBackend;
import dev.amqpgateway.publish.PublishOutcome;
import dev.amqpgateway.publish.PublishRequest;
import reactor.core.publisher.Mono;
import tools.jackson.core.io.JsonStringEncoder;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.util.unit.DataSize;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Answers one producer endpoint: reads the request body (at most {@code max_body_size}), publishes
 * it to every backend of the endpoint in parallel, and answers 200 with the message id only once
 * every backend's broker confirmed it; otherwise a problem that says what became of the message.
 */
final class PublishHandler implements HandlerFunction<ServerResponse> {

	static final String CORRELATION_ID = "X-Correlation-Id";

	private final String path;

	private final Duration timeout;

	private final List<ProducerBackend> backends;

	private final List<String> inputHeaders;

	private final DataSize maxBodySize;

	PublishHandler(String path, Duration timeout, List<ProducerBackend> backends, List<String> inputHeaders,
			DataSize maxBodySize) {
		this.path = path;
		this.timeout = timeout;
		this.backends = List.copyOf(backends);
		this.inputHeaders = List.copyOf(inputHeaders);
		this.maxBodySize = maxBodySize;
	}

	@Override
	public Mono<ServerResponse> handle(ServerRequest request) {
		long declared = request.headers().contentLength().orElse(-1);
		if (declared > this.maxBodySize.toBytes()) {
			return Mono.error(tooLarge());
		}
		return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), (int) this.maxBodySize.toBytes())
			.map(PublishHandler::bytes)
			.defaultIfEmpty(new byte[0])
			.onErrorMap(DataBufferLimitException.class, (ex) -> tooLarge())
			.flatMap((body) -> publish(publishRequest(request, body)));
	}

	private Mono<ServerResponse> publish(PublishRequest request) {
		List<Mono<PublishOutcome>> publishes = new ArrayList<>();
		try {
			// Each backend checks the request before it sends anything: a bad value publishes nothing.
			for (ProducerBackend backend : this.backends) {
				publishes.add(backend.publish(request, this.timeout));
			}
		}
		catch (InvalidPublishRequestException ex) {
			return Mono.error(badRequest(ex.getMessage()));
		}
		if (publishes.size() == 1) {
			// The usual single backend: its outcome as it comes, without zip's coordination.
			return publishes.get(0).flatMap((outcome) -> answer(List.of(outcome)));
		}
		return Mono.zip(publishes, (outcomes) -> {
			List<PublishOutcome> list = new ArrayList<>();
			for (Object outcome : outcomes) {
				list.add((PublishOutcome) outcome);
			}
			return list;
		}).flatMap(this::answer);
	}

	private Mono<ServerResponse> answer(List<PublishOutcome> outcomes) {
		if (outcomes.stream().allMatch(PublishOutcome.Confirmed.class::isInstance)) {
			return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(confirmed(outcomes.get(0)));
		}
		return Mono.error(problemOf(outcomes));
	}

	/**
	 * The body of a 200, {@code {"message_id":"..."}}, written as bytes: the same JSON Jackson
	 * would write for a map, without an encoder lookup and a generator per response.
	 */
	private static byte[] confirmed(PublishOutcome outcome) {
		StringBuilder json = new StringBuilder("{\"message_id\":\"");
		JsonStringEncoder.getInstance().quoteAsString(outcome.messageId(), json);
		return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
	}

	private ErrorResponseException problemOf(List<PublishOutcome> outcomes) {
		List<Map<String, Object>> described = new ArrayList<>();
		for (int i = 0; i < outcomes.size(); i++) {
			described.add(describe(this.backends.get(i), outcomes.get(i)));
		}
		boolean noneSent = outcomes.stream()
			.allMatch((outcome) -> outcome instanceof PublishOutcome.Unavailable unavailable && !unavailable.published());
		if (noneSent) {
			return brokerUnavailable(outcomes);
		}
		if (outcomes.stream().anyMatch(PublishOutcome.Unroutable.class::isInstance)) {
			return new PublishProblem(HttpStatus.BAD_GATEWAY, ProblemTypes.UNROUTABLE, "Unroutable message",
					"No queue is bound to receive the message: " + summary(described), described);
		}
		if (outcomes.stream().anyMatch(PublishOutcome.Nacked.class::isInstance)) {
			return new PublishProblem(HttpStatus.BAD_GATEWAY, ProblemTypes.PUBLISH_REFUSED, "Publish refused",
					"The broker refused the message: " + summary(described), described);
		}
		if (outcomes.stream().anyMatch(PublishOutcome.TimedOut.class::isInstance)) {
			return new PublishProblem(HttpStatus.GATEWAY_TIMEOUT, ProblemTypes.CONFIRM_TIMEOUT, "No confirm in time",
					"The broker did not confirm the message within " + this.timeout.toMillis()
							+ " ms; it may have been published: " + summary(described),
					described);
		}
		return new PublishProblem(HttpStatus.BAD_GATEWAY, ProblemTypes.BROKER_UNAVAILABLE, "Broker unavailable",
				"The connection to the broker was lost before it confirmed; the message may have been published: "
						+ summary(described),
				described);
	}

	private BrokerUnavailableException brokerUnavailable(List<PublishOutcome> outcomes) {
		Instant now = Instant.now();
		Duration retryAfter = outcomes.stream()
			.map((outcome) -> ((PublishOutcome.Unavailable) outcome).nextAttempt())
			.filter(Objects::nonNull)
			.map((next) -> Duration.between(now, next))
			.min(Duration::compareTo)
			.orElse(Duration.ofSeconds(1));
		List<String> reasons = new ArrayList<>();
		for (int i = 0; i < outcomes.size(); i++) {
			ProducerBackend backend = this.backends.get(i);
			reasons.add("exchange '" + backend.exchange() + "' on " + backend.broker().display() + " is unavailable: "
					+ ((PublishOutcome.Unavailable) outcomes.get(i)).reason());
		}
		return new BrokerUnavailableException("Nothing was published to " + this.path + ": " + String.join("; ", reasons),
				retryAfter);
	}

	private static Map<String, Object> describe(ProducerBackend backend, PublishOutcome outcome) {
		Map<String, Object> described = new LinkedHashMap<>();
		described.put("exchange", backend.exchange());
		described.put("message_id", outcome.messageId());
		described.put("outcome", switchName(outcome));
		if (outcome instanceof PublishOutcome.Unroutable unroutable) {
			described.put("reason", unroutable.replyText());
		}
		else if (outcome instanceof PublishOutcome.Unavailable unavailable) {
			described.put("reason", unavailable.reason());
		}
		return described;
	}

	private static String switchName(PublishOutcome outcome) {
		if (outcome instanceof PublishOutcome.Confirmed) {
			return "confirmed";
		}
		if (outcome instanceof PublishOutcome.Nacked) {
			return "nacked";
		}
		if (outcome instanceof PublishOutcome.Unroutable) {
			return "unroutable";
		}
		if (outcome instanceof PublishOutcome.TimedOut) {
			return "timed out";
		}
		return ((PublishOutcome.Unavailable) outcome).published() ? "connection lost" : "unavailable";
	}

	private static String summary(List<Map<String, Object>> described) {
		return String.join("; ", described.stream()
			.map((backend) -> "exchange '" + backend.get("exchange") + "': " + backend.get("outcome")
					+ ((backend.get("reason") != null) ? " (" + backend.get("reason") + ")" : ""))
			.toList());
	}

	private PublishRequest publishRequest(ServerRequest request, byte[] body) {
		HttpHeaders headers = request.headers().asHttpHeaders();
		Map<String, String> copied = new LinkedHashMap<>();
		for (String name : this.inputHeaders) {
			String value = headers.getFirst(name);
			if (value != null) {
				copied.put(name, value);
			}
		}
		MediaType contentType = headers.getContentType();
		return new PublishRequest(body, (contentType != null) ? contentType.toString() : null, request.pathVariables(),
				copied, headers.getFirst(CORRELATION_ID));
	}

	private ErrorResponseException tooLarge() {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE,
				"The body is larger than max_body_size (" + this.maxBodySize.toBytes() + " bytes); nothing was published.");
		problem.setType(ProblemTypes.PAYLOAD_TOO_LARGE);
		return new ErrorResponseException(HttpStatus.PAYLOAD_TOO_LARGE, problem, null);
	}

	private static ErrorResponseException badRequest(String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail + " Nothing was published.");
		problem.setType(ProblemTypes.BAD_REQUEST);
		return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
	}

	private static byte[] bytes(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

}
