package dev.amqpgateway.config;

/**
 * How long a backend waits before each reconnect attempt.
 */
public enum BackoffStrategy {

	/** Attempt i waits i seconds. */
	LINEAR,

	/** Attempt i waits i seconds, give or take up to a third. */
	LINEAR_JITTER,

	/** Attempt i waits 2^i seconds. */
	EXPONENTIAL,

	/** Attempt i waits 2^i seconds, give or take up to a third. */
	EXPONENTIAL_JITTER,

	/** Every attempt waits one second. */
	FALLBACK

}
