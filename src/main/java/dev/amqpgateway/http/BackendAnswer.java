package dev.amqpgateway.http;

import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.Delivery;
import org.jspecify.annotations.Nullable;

/**
 * What one backend gave a request: a delivery, nothing in time, or an outage.
 *
 * @param backend the backend asked
 * @param delivery the message taken, if any
 * @param unavailable why the backend could not answer, if it could not
 */
record BackendAnswer(ConsumerBackend backend, @Nullable Delivery delivery,
		@Nullable BackendUnavailableException unavailable) {

	static BackendAnswer delivered(ConsumerBackend backend, Delivery delivery) {
		return new BackendAnswer(backend, delivery, null);
	}

	static BackendAnswer empty(ConsumerBackend backend) {
		return new BackendAnswer(backend, null, null);
	}

	static BackendAnswer unavailable(ConsumerBackend backend, BackendUnavailableException reason) {
		return new BackendAnswer(backend, null, reason);
	}

}
