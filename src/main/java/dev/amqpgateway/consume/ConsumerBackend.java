package dev.amqpgateway.consume;

import java.time.Duration;

import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.ChannelStatus;
import dev.amqpgateway.config.Backend;
import reactor.core.publisher.Mono;

/**
 * One backend of one consumer endpoint, as the HTTP side and health see it: where its messages
 * come from, how its connection stands, and its meters. A request {@linkplain #receive receives} a
 * message into its {@link Lease}, and the lease acknowledges it once the response carrying it was
 * written, or requeues it.
 */
public interface ConsumerBackend {

	/**
	 * Take the next message for a request, waiting for one at most the given time.
	 * @param lease the deliveries of the request, which takes ownership of the message
	 * @param timeout how long to wait when no message is at hand
	 * @return the delivery; empty when none came in time; a {@link BackendUnavailableException}
	 * when the backend cannot serve
	 */
	Mono<Delivery> receive(Lease lease, Duration timeout);

	/**
	 * Settle a message the request could not decode: requeued, or rejected once it has failed
	 * {@code max_deliveries} times (at once with {@code nack_discard}).
	 * @param delivery a delivery of this backend's lease
	 * @return true when it was rejected, false when requeued
	 */
	boolean settleUndecodable(Delivery delivery);

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
	 * The broker the backend drains.
	 * @return the broker
	 */
	Broker broker();

	/**
	 * How the backend's connection stands now.
	 * @return a snapshot
	 */
	ChannelStatus status();

	/**
	 * The backend's meters.
	 * @return its meters
	 */
	BackendMetrics metrics();

	/**
	 * Name of the queue the backend drains.
	 * @return the queue name
	 */
	default String queue() {
		return backend().consumer().name();
	}

}
