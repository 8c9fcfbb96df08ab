package dev.amqpgateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * An async agent: it consumes a queue and sends every message to its HTTP backends, acknowledging
 * it once all of them accepted it, with no HTTP client asking.
 *
 * @param name name of the agent, in logs, health and meters
 * @param connection how the agent's broker connection is kept
 * @param consumer what the agent consumes and how fast
 * @param backend the HTTP services each message is sent to, in parallel
 * @param amqp the queue the agent drains: the consumer settings of an endpoint's backend, with the
 * binding key taken from {@code consumer.topic}
 */
public record AsyncAgent(
		@NotBlank(message = "is required: the agent's name, in logs, health and meters") String name,
		@DefaultValue @Valid Connection connection,
		@NotNull(message = "is required: the agent's consumer.topic, at least") @Valid AgentConsumer consumer,
		@NotEmpty(message = "needs at least one HTTP backend to send messages to") List<@Valid HttpBackend> backend,
		@NotNull(message = "is required: the queue the agent drains (host, name, exchange)") @Valid Amqp amqp) {

	/**
	 * The agent's queue as a consumer backend, so that it is declared, consumed, reconnected and
	 * settled by the same machinery as an endpoint's.
	 * @return a consumer backend bound with the agent's topic
	 */
	public Backend amqpBackend() {
		Consumer consumer = new Consumer(this.amqp.name(), this.amqp.exchange(), this.amqp.exchangeType(),
				List.of(this.consumer.topic()), this.amqp.durable(), this.amqp.delete(), this.amqp.exclusive(),
				this.amqp.noWait(), this.amqp.noLocal(), prefetch(), this.amqp.autoAck(), this.amqp.nackDiscard(),
				this.connection.maxRetries(), this.connection.backoffStrategy(), this.amqp.queueArguments(),
				this.amqp.declare());
		return new Backend(this.amqp.host(), Encoding.NO_OP, false, "", false, this.amqp.tls(),
				new Backend.Amqp(consumer, null));
	}

	/**
	 * Most messages the agent holds unacknowledged: its {@code prefetch_count}, at least one per
	 * worker; its workers when it sets none, so that the agent never holds messages it cannot send.
	 * @return the prefetch
	 */
	public int prefetch() {
		return Math.max(this.amqp.prefetchCount(), this.consumer.workers());
	}

	@Override
	public String toString() {
		return "AsyncAgent[name=" + this.name + ", consumer=" + this.consumer + ", backend=" + this.backend
				+ ", amqp=" + this.amqp + "]";
	}

	/**
	 * How the agent's broker connection is kept.
	 *
	 * @param maxRetries reconnect attempts before a cycle gives up; 0 to keep trying
	 * @param backoffStrategy how long to wait before each reconnect attempt
	 * @param healthInterval how long an agent whose reconnect cycle gave up waits before it starts another
	 */
	public record Connection(@DefaultValue("0") @PositiveOrZero int maxRetries,
			@DefaultValue("fallback") BackoffStrategy backoffStrategy,
			@DefaultValue("1s") @DurationMin(millis = 1, message = "must be positive, such as 1s") Duration healthInterval) {
	}

	/**
	 * What the agent consumes and how fast.
	 *
	 * @param topic the binding key of the agent's queue on its exchange
	 * @param workers messages in flight at once
	 * @param timeout how long every backend has to accept a message; the gateway's timeout when unset
	 * @param maxRate most messages taken per second by the whole agent; 0 for no limit
	 */
	public record AgentConsumer(
			@NotBlank(message = "is required: the binding key of the agent's queue, such as \"#\"") String topic,
			@DefaultValue("1") @Min(1) @Max(1000) int workers,
			@Nullable @DurationMin(millis = 1, message = "must be positive, such as 2s") Duration timeout,
			@DefaultValue("0") @PositiveOrZero double maxRate) {
	}

	/**
	 * An HTTP service the agent sends messages to.
	 *
	 * @param host base URLs of the service ({@code http://host:port}), taken in turn
	 * @param urlPattern path of the request
	 * @param method HTTP method of the request
	 * @param encoding accepted for compatibility with KrakenD; the response body is not read
	 */
	public record HttpBackend(
			@NotEmpty(message = "needs at least one base URL, such as http://billing:8080") List<String> host,
			@NotBlank(message = "is required: the path to send messages to, such as /invoices") String urlPattern,
			@DefaultValue("GET") String method, @DefaultValue("json") String encoding) {
	}

	/**
	 * The queue the agent drains, with the keys of an endpoint backend's {@code amqp.consumer}
	 * (KrakenD's {@code async/amqp}).
	 *
	 * @param host broker URLs, tried in order
	 * @param name name of the queue to declare and drain
	 * @param exchange name of the exchange to declare and bind the queue to
	 * @param exchangeType type of the exchange
	 * @param durable whether the exchange and the queue survive a broker restart
	 * @param delete whether the exchange and the queue are deleted when no longer used
	 * @param exclusive whether the queue is exclusive to the gateway's connection
	 * @param noWait accepted for compatibility with KrakenD; declarations always wait for the broker's reply
	 * @param noLocal accepted for compatibility; RabbitMQ ignores it
	 * @param prefetchCount most unacknowledged messages the agent holds; at least its workers
	 * @param prefetchSize accepted for compatibility with KrakenD; RabbitMQ does not implement it
	 * @param autoAck whether the broker forgets a message as soon as it hands it over (at most once)
	 * @param nackDiscard whether a message the backends refused is rejected without requeue at once
	 * @param queueArguments arguments of queue.declare, such as {@code x-dead-letter-exchange}
	 * @param declare whether to declare the exchange, queue and binding; when false the queue must exist
	 * @param tls trust and key material for {@code amqps://} hosts
	 */
	public record Amqp(
			@NotEmpty(message = "needs at least one broker URL, such as amqp://localhost:5672") List<String> host,
			@NotBlank(message = "is required: the queue to declare and drain") String name,
			@NotBlank(message = "is required: the exchange to bind the queue to") String exchange,
			@DefaultValue("topic") ExchangeType exchangeType, @DefaultValue("false") boolean durable,
			@DefaultValue("false") boolean delete, @DefaultValue("false") boolean exclusive,
			@DefaultValue("false") boolean noWait, @DefaultValue("false") boolean noLocal,
			@DefaultValue("0") @PositiveOrZero @Max(65535) int prefetchCount,
			@DefaultValue("0") @PositiveOrZero int prefetchSize, @DefaultValue("false") boolean autoAck,
			@DefaultValue("false") boolean nackDiscard, @DefaultValue Map<String, Object> queueArguments,
			@DefaultValue("true") boolean declare, @DefaultValue @Valid Tls tls) {

		@Override
		public String toString() {
			return "Amqp[host=" + ((this.host != null) ? this.host.stream().map(GatewayPropertiesValidator::masked).toList()
					: null) + ", name=" + this.name + ", exchange=" + this.exchange + ", prefetchCount="
					+ this.prefetchCount + ", autoAck=" + this.autoAck + ", nackDiscard=" + this.nackDiscard + "]";
		}

	}

}
