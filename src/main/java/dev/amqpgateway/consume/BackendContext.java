package dev.amqpgateway.consume;

import java.time.Duration;

import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.ReconnectBackOff;
import dev.amqpgateway.config.Backend;

import org.springframework.scheduling.TaskScheduler;

/**
 * What a receiver is built from.
 *
 * @param key which backend of which endpoint
 * @param backend the backend's configuration
 * @param broker the broker it drains
 * @param backOff the waits between reconnect attempts
 * @param giveUpPause how long a cycle that gave up rests before the next one starts on its own
 * @param scheduler where reconnects run
 * @param metrics the backend's meters
 * @param acker where acknowledgements are sent from
 * @param prefetch most unacknowledged messages the backend holds
 * @param maxMessageSize largest body, in bytes, that the backend serves
 */
record ReceiverContext(BackendKey key, Backend backend, Broker broker, ReconnectBackOff backOff, Duration giveUpPause,
		TaskScheduler scheduler, BackendMetrics metrics, Acker acker, int prefetch,
		long maxMessageSize) {
}
