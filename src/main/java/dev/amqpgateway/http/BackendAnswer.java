package dev.amqpgateway.consume;

import org.jspecify.annotations.Nullable;

/**
 * What one backend gave a request: a delivery, nothing in time, or an outage.
 *
 * @param source the backend asked
 * @param delivery the message taken, if any
 * @param unavailable why the backend could not answer, if it could not
 */
record Answer(EndpointHandler.Source source, @Nullable Delivery delivery,
		@Nullable BackendUnavailableException unavailable) {

	static Answer delivered(EndpointHandler.Source source, Delivery delivery) {
		return new Answer(source, delivery, null);
	}

	static Answer empty(EndpointHandler.Source source) {
		return new Answer(source, null, null);
	}

	static Answer unavailable(EndpointHandler.Source source, BackendUnavailableException reason) {
		return new Answer(source, null, reason);
	}

}
