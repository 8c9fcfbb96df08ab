/**
 * Connections to the brokers: one factory, admin and connector thread per distinct host list, with
 * failover, TLS and the back-off strategies.
 */
@NullMarked
package dev.amqpgateway.broker;

import org.jspecify.annotations.NullMarked;
