package dev.amqpgateway.config;

/**
 * Whether the broker writes a published message to disk.
 */
public enum DeliveryMode {

	/** Written to disk on a durable queue: survives a broker restart. */
	PERSISTENT,

	/** Kept in memory only. */
	TRANSIENT

}
