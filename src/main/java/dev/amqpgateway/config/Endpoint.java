package dev.amqpgateway.config;

import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * An HTTP endpoint that answers with the next message of each of its backends.
 *
 * @param endpoint path of the endpoint, such as {@code /orders}
 * @param method HTTP method of the endpoint; consumer endpoints answer GET only
 * @param timeout how long a request may wait for messages; the gateway's timeout when unset
 * @param backend the backends asked for a message, in the order their data is merged
 */
public record Endpoint(
		@NotBlank(message = "is required: the path of the endpoint, such as /orders") String endpoint,
		@DefaultValue("GET") String method,
		@Nullable @DurationMin(millis = 1, message = "must be positive, such as 3s") Duration timeout,
		@NotEmpty(message = "needs at least one backend") List<@Valid Backend> backend) {
}
