package dev.amqpgateway.consume;

import java.time.Duration;

import dev.amqpgateway.broker.ReconnectingChannel;
import dev.amqpgateway.config.Backend;

/**
 * What a consumer backend is built from.
 *
 * @param key which backend of which endpoint
 * @param backend the backend's configuration
 * @param channel the broker, back-off and timer its channel is kept with
 * @param metrics the backend's meters
 * @param acker where acknowledgements are sent from
 * @param poison what happens to messages that cannot be served
 * @param prefetch most unacknowledged messages the backend holds
 * @param maxMessageSize largest body, in bytes, that the backend serves
 * @param releaseAfter how long the backend keeps its consumer, or a message taken ahead of demand,
 * without a request
 * @param leaseCap the longest a message stays leased, counted from its delivery
 */
record BackendContext(BackendKey key, Backend backend, ReconnectingChannel.Settings channel, BackendMetrics metrics,
		Acker acker, PoisonPolicy poison, int prefetch, long maxMessageSize, Duration releaseAfter, Duration leaseCap) {
}
