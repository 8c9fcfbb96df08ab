/**
 * RFC 9457 problem answers and the exceptions that carry them.
 */
@NullMarked
package dev.amqpgateway.problem;

import org.jspecify.annotations.NullMarked;
