/**
 * Health components and meters of the brokers and backends.
 */
@NullMarked
package dev.amqpgateway.health;

import org.jspecify.annotations.NullMarked;
