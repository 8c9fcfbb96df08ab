package dev.amqpgateway.broker;

/**
 * Where a kept channel stands with its broker.
 */
public enum ConnectionState {

	/** The first connection attempt has not finished. */
	CONNECTING,

	/** Connected, the channel open and in use. */
	UP,

	/** Connection lost or refused; reconnecting in the background on the back-off strategy. */
	RECONNECTING,

	/** A reconnect cycle used its {@code max_retries}; the next request or timer starts a new one. */
	GAVE_UP,

	/** The gateway is shutting down. */
	STOPPED

}
