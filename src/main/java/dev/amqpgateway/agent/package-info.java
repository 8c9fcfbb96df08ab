/**
 * Async agents: workers that take the messages of a queue and send each one to HTTP services,
 * acknowledging it once every service accepted it, requeuing it after a back-off wait otherwise.
 */
@NullMarked
package dev.amqpgateway.agent;

import org.jspecify.annotations.NullMarked;
