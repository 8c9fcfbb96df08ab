package dev.amqpgateway.config;

import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * An HTTP endpoint: a consumer endpoint answers with the next message of each of its backends, a
 * producer endpoint publishes the request's body to each of its backends.
 *
 * @param endpoint path of the endpoint, such as {@code /orders}; a producer's path may hold
 * {@code {name}} parameters, such as {@code /orders/{id}}
 * @param method HTTP method of the endpoint: GET for a consumer (its default); POST (the default), PUT or
 * PATCH for a producer
 * @param timeout how long a request may wait for messages, or for the broker's confirms; the gateway's
 * timeout when unset
 * @param inputHeaders request headers a producer copies into each message's AMQP headers
 * @param backend the backends asked for a message, in the order their data is merged, or published to
 * @param outputEncoding how a consumer endpoint answers: {@code json}, or {@code no-op} for the raw body
 * of a single backend's message
 * @param envelope whether a consumer endpoint answers with the envelope (each message with its
 * metadata) rather than the merged object; a request can ask for it with {@code ?envelope=true}
 * @param maxBatch most messages per backend a request may ask for with {@code ?max=}
 * @param ackMode when a consumer endpoint's messages are acknowledged: once written, or when the
 * client acknowledges their receipts
 * @param leaseTimeout how long a leased message waits for its acknowledgement before it is requeued
 * @param maxLeases most messages leased at once per backend; beyond, a request is answered 429
 * @param auth the JSON Web Token a request must carry ({@code auth/validator}); none asked when unset
 * @param rateLimit how many requests the endpoint serves per period ({@code qos/ratelimit/router});
 * no limit when unset
 */
public record Endpoint(
		@NotBlank(message = "is required: the path of the endpoint, such as /orders") String endpoint,
		@Nullable String method,
		@Nullable @DurationMin(millis = 1, message = "must be positive, such as 3s") Duration timeout,
		@DefaultValue List<String> inputHeaders,
		@NotEmpty(message = "needs at least one backend") List<@Valid Backend> backend,
		@DefaultValue("json") OutputEncoding outputEncoding,
		@DefaultValue("false") boolean envelope,
		@DefaultValue("10") @Min(1) @Max(1000) int maxBatch,
		@DefaultValue("on-write") AckMode ackMode,
		@DefaultValue("30s") @DurationMin(seconds = 1, message = "must be at least 1s, such as 30s") Duration leaseTimeout,
		@DefaultValue("1000") @Min(1) @Max(65535) int maxLeases,
		@Nullable @Valid Auth auth,
		@Nullable @Valid RateLimit rateLimit) {

	/**
	 * Whether the endpoint publishes: its backends are producers.
	 * @return true for a producer endpoint
	 */
	public boolean isProducer() {
		return !this.backend.isEmpty() && this.backend.get(0).isProducer();
	}

	/**
	 * The method the endpoint answers.
	 * @return {@code method}, else GET for a consumer and POST for a producer endpoint
	 */
	public String effectiveMethod() {
		if (this.method != null) {
			return this.method.toUpperCase(java.util.Locale.ROOT);
		}
		return isProducer() ? "POST" : "GET";
	}

}
