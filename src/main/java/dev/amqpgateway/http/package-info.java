/**
 * The HTTP side: the server's event loops, a route per endpoint, and the handler that asks an
 * endpoint's backends for messages, decodes and merges them, writes the answer and says when its
 * last byte was written.
 */
@NullMarked
package dev.amqpgateway.http;

import org.jspecify.annotations.NullMarked;
