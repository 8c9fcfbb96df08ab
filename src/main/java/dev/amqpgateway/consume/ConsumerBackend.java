package dev.amqpgateway.consume;

import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.config.Backend;

/**
 * One backend of one endpoint as the rest of the service sees it: what it drains and how its
 * connection stands.
 */
public interface ConsumerBackend {

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
	BackendStatus status();

	/**
	 * Name of the queue the backend drains.
	 * @return the queue name
	 */
	default String queue() {
		return backend().amqp().consumer().name();
	}

}
