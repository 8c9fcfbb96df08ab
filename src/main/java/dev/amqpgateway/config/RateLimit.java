package dev.amqpgateway.config;

import java.time.Duration;

import jakarta.validation.constraints.PositiveOrZero;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code qos/ratelimit/router} settings of an endpoint: how many requests it serves per
 * period, in all and per client; a request over either limit is answered 429 before it takes or
 * publishes anything.
 *
 * @param maxRate most requests the endpoint serves per period, from all clients; 0 for no such limit
 * @param clientMaxRate most requests the endpoint serves per period to one client; 0 for no such limit
 * @param strategy how a client is told apart: by its IP address, or by the value of the header {@code key}
 * @param key name of the header that identifies a client when {@code strategy} is {@code header}
 * @param every length of the period the rates count in
 */
public record RateLimit(
		@DefaultValue("0") @PositiveOrZero int maxRate,
		@DefaultValue("0") @PositiveOrZero int clientMaxRate,
		@DefaultValue("ip") Strategy strategy,
		@Nullable String key,
		@DefaultValue("1s") @DurationMin(millis = 1, message = "must be positive, such as 1s") Duration every) {

	/**
	 * How a client is told apart.
	 */
	public enum Strategy {

		/** By the IP address the request came from. */
		IP,

		/** By the value of a request header. */
		HEADER

	}

}
