package dev.amqpgateway.config;

import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the gateway: its consumer and producer endpoints, its async agents and the
 * bounds they share.
 *
 * @param timeout default wait of every endpoint that sets no timeout of its own
 * @param maxBackoff longest wait between two reconnect attempts, whatever the strategy
 * @param maxDeliveries deliveries after which a message that cannot be decoded is rejected without requeue
 * @param prefetchLimit most unacknowledged messages a backend holds when its prefetch_count is 0
 * @param eventLoops number of HTTP event-loop threads; 0 for half the available processors, at least one
 * @param maxMessageSize largest message body served; a larger message is rejected without requeue
 * (dead-lettered when its queue has a dead-letter exchange) and never reaches a client
 * @param maxBodySize largest request body a producer endpoint publishes; a larger one is answered 413
 * @param releaseAfter how long a backend keeps its consumer without a request, and a message taken
 * ahead of demand without a request for it, before it cancels the consumer and, when the queue has
 * other consumers, returns the message to the queue
 * @param endpoints the consumer and producer endpoints, each with one or more backends
 * @param asyncAgents the agents that send the messages of a queue to HTTP services
 * @param krakendConfig a KrakenD v3 configuration file whose AMQP endpoints and async agents run
 * beside these, such as {@code file:krakend.json}
 * @param krakendStrict whether anything in that file the gateway would not run stops startup
 * @param lease the receipts of endpoints whose clients acknowledge their messages
 * @param cors which browser pages of other origins may call the endpoints ({@code security/cors});
 * none when unset
 */
@ConfigurationProperties(prefix = "gateway", ignoreUnknownFields = false)
@Validated
public record GatewayProperties(
		@DefaultValue("2s") @DurationMin(millis = 1, message = "must be positive, such as 2s") Duration timeout,
		@DefaultValue("60s") @DurationMin(millis = 1, message = "must be positive, such as 60s") Duration maxBackoff,
		@DefaultValue("5") @Min(1) int maxDeliveries,
		@DefaultValue("250") @Min(1) @Max(65535) int prefetchLimit,
		@DefaultValue("0") @Min(0) int eventLoops,
		@DefaultValue("16MB") DataSize maxMessageSize,
		@DefaultValue("1MB") DataSize maxBodySize,
		@DefaultValue("1s") @DurationMin(millis = 10, message = "must be at least 10ms, such as 1s") Duration releaseAfter,
		@DefaultValue List<@Valid Endpoint> endpoints,
		@DefaultValue List<@Valid AsyncAgent> asyncAgents,
		@Nullable String krakendConfig,
		@DefaultValue("false") boolean krakendStrict,
		@DefaultValue @Valid LeaseSettings lease,
		@Nullable @Valid Cors cors) {

	/**
	 * The largest message a RabbitMQ broker can be configured to accept: it refuses a
	 * {@code max_message_size} above 512 MiB (its default is 128 MiB).
	 */
	public static final DataSize LARGEST_BROKER_MESSAGE = DataSize.ofMegabytes(512);

	/**
	 * The number of HTTP event-loop threads to run.
	 * @return {@code event_loops}, or half the available processors (at least one) when it is 0
	 */
	public int effectiveEventLoops() {
		return (this.eventLoops > 0) ? this.eventLoops : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
	}

	/**
	 * The endpoints whose backends consume.
	 * @return the consumer endpoints, in configuration order
	 */
	public List<Endpoint> consumerEndpoints() {
		return this.endpoints.stream().filter((endpoint) -> !endpoint.isProducer()).toList();
	}

	/**
	 * The endpoints whose backends publish.
	 * @return the producer endpoints, in configuration order
	 */
	public List<Endpoint> producerEndpoints() {
		return this.endpoints.stream().filter(Endpoint::isProducer).toList();
	}

	/**
	 * How long an agent's backends have to accept a message.
	 * @param agent one of this configuration's agents
	 * @return the agent's own {@code consumer.timeout}, else the default one
	 */
	public Duration timeoutOf(AsyncAgent agent) {
		return (agent.consumer().timeout() != null) ? agent.consumer().timeout() : this.timeout;
	}

	/**
	 * How long a request on the given endpoint may wait for messages.
	 * @param endpoint one of this configuration's endpoints
	 * @return the endpoint's own timeout, else the default one
	 */
	public Duration timeoutOf(Endpoint endpoint) {
		return (endpoint.timeout() != null) ? endpoint.timeout() : this.timeout;
	}

}
