/**
 * The AMQP side of the producer endpoints: a channel in confirm mode per producer backend, kept
 * open and reconnected, whose publishes each wait for the broker's confirm or return.
 */
@NullMarked
package dev.amqpgateway.publish;

import org.jspecify.annotations.NullMarked;
