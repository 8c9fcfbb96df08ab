package dev.amqpgateway.publish;

import java.time.Duration;

import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.ChannelStatus;
import dev.amqpgateway.config.Backend;
import reactor.core.publisher.Mono;

/**
 * One backend of one producer endpoint, as the HTTP side and health see it: it publishes a
 * request's body and answers once the broker confirmed, refused or returned the message.
 */
public interface ProducerBackend {

	/**
	 * Publish a request's body and wait for the broker's answer, without blocking the caller.
	 * @param request what the request gives
	 * @param timeout how long to wait for the confirm
	 * @return the outcome; an {@link InvalidPublishRequestException} when the request cannot make
	 * a message (nothing was published)
	 */
	Mono<PublishOutcome> publish(PublishRequest request, Duration timeout);

	/**
	 * Path of the endpoint this backend belongs to.
	 * @return the endpoint path
	 */
	String endpoint();

	/**
	 * Position of the backend in its endpoint's list.
	 * @return the index, from 0
	 */
	int index();

	/**
	 * The configuration of the backend.
	 * @return the backend settings
	 */
	Backend backend();

	/**
	 * The broker the backend publishes to.
	 * @return the broker
	 */
	Broker broker();

	/**
	 * How the backend's connection stands now.
	 * @return a snapshot
	 */
	ChannelStatus status();

	/**
	 * Name of the exchange the backend publishes to.
	 * @return the exchange name
	 */
	default String exchange() {
		return backend().producer().exchange();
	}

}
