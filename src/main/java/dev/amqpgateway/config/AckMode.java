package dev.amqpgateway.config;

/**
 * When a consumer endpoint's messages are acknowledged.
 */
public enum AckMode {

	/** Once the response carrying them was written in full. */
	ON_WRITE,

	/** When the client acknowledges them with their receipts, or never: requeued when the lease expires. */
	LEASE

}
