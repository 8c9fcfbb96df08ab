package dev.amqpgateway.consume;

import java.time.Duration;
import java.util.List;

import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.ChannelStatus;
import dev.amqpgateway.config.Backend;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * One backend of one consumer endpoint, as the HTTP side and health see it: where its messages
 * come from, how its connection stands, and its meters. A request {@linkplain #receive receives} a
 * message into its {@link Lease}, and the lease acknowledges it once the response carrying it was
 * written, or requeues it.
 */
public interface ConsumerBackend {

	/**
	 * The key of a request's Reactor context entry holding the {@link java.util.concurrent.Executor}
	 * a request that waited for a message is woken on: its connection's thread. Without it, the
	 * request is woken on the thread that received the message, the broker connection's one
	 * reader, which would then build and write the answer before it reads the next message.
	 */
	String WAKE_ON = ConsumerBackend.class.getName() + ".wakeOn";

	/**
	 * Take the next message for a request, waiting for one at most the given time. Nothing is
	 * taken until the answer is subscribed to.
	 * @param lease the deliveries of the request, which takes ownership of the message
	 * @param timeout how long to wait when no message is at hand
	 * @return the delivery; empty when none came in time; a {@link BackendUnavailableException}
	 * when the backend cannot serve
	 */
	Mono<Delivery> receive(Lease lease, Duration timeout);

	/**
	 * Take up to {@code max} messages for a request: wait at most the given time for the first,
	 * then take, without waiting, what this backend holds, and what the queue has ready while its
	 * consumer cannot bring it (asking the broker with {@code basic.get}).
	 * @param lease the deliveries of the request, which takes ownership of the messages
	 * @param max most messages to take, at least 1
	 * @param timeout how long to wait for the first message when none is at hand
	 * @return the deliveries, oldest first; empty when none came in time; a
	 * {@link BackendUnavailableException} when the backend cannot serve
	 */
	Mono<List<Delivery>> receive(Lease lease, int max, Duration timeout);

	/**
	 * Settle a message that could not be served — a request could not decode it, an agent's
	 * backends refused it: requeued, or rejected once it has failed {@code max_deliveries} times
	 * (at once with {@code nack_discard}).
	 * @param delivery a delivery of this backend's lease
	 * @return true when it was rejected, false when requeued
	 */
	boolean settleFailed(Delivery delivery);

	/**
	 * How many times the message has been delivered, this time included, as far as is known: the
	 * broker's count on a quorum queue ({@code x-delivery-count} + 1), else one more than the
	 * failures this gateway counted for it (1 when the broker does not flag it redelivered).
	 * @param delivery a delivery of this backend
	 * @return the count, from 1
	 */
	long deliveryCount(Delivery delivery);

	/**
	 * Lease a message a request took: it stays unsettled, for its client to acknowledge, until the
	 * lease expires (then it is requeued) or its channel is lost.
	 * @param delivery a delivery of this backend's lease, which gives it up to the lease
	 * @param timeout how long the lease lasts (capped below the broker's consumer timeout)
	 * @return the lease's key and expiry
	 */
	default LeaseBook.Leased lease(Delivery delivery, Duration timeout) {
		return lease(delivery, timeout, () -> {
		});
	}

	/**
	 * Lease a message a request took, and be told when the lease is over.
	 * @param delivery a delivery of this backend's lease, which gives it up to the lease
	 * @param timeout how long the lease lasts (capped below the broker's consumer timeout)
	 * @param over told once when the lease is over: settled by its client, expired, or gone with its
	 * channel
	 * @return the lease's key and expiry
	 */
	LeaseBook.Leased lease(Delivery delivery, Duration timeout, Runnable over);

	/**
	 * The messages clients hold on lease.
	 * @return the backend's leases
	 */
	LeaseBook leases();

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
	 * The async agent whose queue this is.
	 * @return the agent's name, or null for an endpoint's backend
	 */
	@Nullable String agent();

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
