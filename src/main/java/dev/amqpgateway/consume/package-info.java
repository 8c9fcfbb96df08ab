/**
 * The consumer endpoints: channels kept open and reconnected, deliveries handed to waiting
 * requests, and acknowledgement once the response carrying a message is written.
 */
@NullMarked
package dev.amqpgateway.consume;

import org.jspecify.annotations.NullMarked;
