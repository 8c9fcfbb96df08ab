/**
 * RabbitMQ queues as HTTP endpoints, configured with KrakenD's AMQP vocabulary.
 */
@NullMarked
package dev.amqpgateway;

import org.jspecify.annotations.NullMarked;
