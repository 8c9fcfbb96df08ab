package dev.amqpgateway.config;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One AMQP backend of an endpoint: a consumer whose messages the endpoint answers with, or a
 * producer the endpoint publishes to.
 *
 * @param host broker URLs ({@code amqp://user:pass@host:port/vhost} or {@code amqps://...}), tried in order
 * @param encoding how message bodies are decoded
 * @param isCollection whether a JSON array body is accepted and answered as {"collection": [...]}
 * @param group key under which this backend's data is nested; merged at the top level when empty
 * @param disableHostSanitize accepted for compatibility with KrakenD and ignored
 * @param tls trust and key material for {@code amqps://} hosts
 * @param amqp the AMQP settings of the backend
 */
public record Backend(
		@NotEmpty(message = "needs at least one broker URL, such as amqp://localhost:5672") List<String> host,
		@DefaultValue("json") Encoding encoding,
		@DefaultValue("false") boolean isCollection,
		@DefaultValue("") String group,
		@DefaultValue("false") boolean disableHostSanitize,
		@DefaultValue @Valid Tls tls,
		@NotNull(message = "is required: the amqp.consumer or amqp.producer settings of the backend") @Valid Amqp amqp) {

	/**
	 * The backend without secrets: host passwords and TLS store passwords masked.
	 */
	@Override
	public String toString() {
		return "Backend[host=" + ((this.host != null) ? this.host.stream().map(GatewayPropertiesValidator::masked).toList()
				: null) + ", encoding=" + this.encoding + ", isCollection=" + this.isCollection + ", group=" + this.group
				+ ", amqp=" + this.amqp + "]";
	}

	/**
	 * The consumer settings of a consumer backend.
	 * @return the settings
	 * @throws IllegalStateException when this is a producer backend
	 */
	public Consumer consumer() {
		Consumer consumer = this.amqp.consumer();
		if (consumer == null) {
			throw new IllegalStateException("Not a consumer backend: " + this);
		}
		return consumer;
	}

	/**
	 * The producer settings of a producer backend.
	 * @return the settings
	 * @throws IllegalStateException when this is a consumer backend
	 */
	public Producer producer() {
		Producer producer = this.amqp.producer();
		if (producer == null) {
			throw new IllegalStateException("Not a producer backend: " + this);
		}
		return producer;
	}

	/**
	 * Whether the backend publishes rather than consumes.
	 * @return true for a producer backend
	 */
	public boolean isProducer() {
		return this.amqp.producer() != null;
	}

	/**
	 * The AMQP namespace of a backend: exactly one of its two kinds.
	 *
	 * @param consumer the {@code backend/amqp/consumer} settings
	 * @param producer the {@code backend/amqp/producer} settings
	 */
	public record Amqp(@Nullable @Valid Consumer consumer, @Nullable @Valid Producer producer) {
	}

}
