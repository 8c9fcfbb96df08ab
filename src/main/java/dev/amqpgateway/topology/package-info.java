/**
 * The exchanges, queues and bindings declared on each broker, and the reporting of declarations a
 * broker refuses.
 */
@NullMarked
package dev.amqpgateway.topology;

import org.jspecify.annotations.NullMarked;
