/**
 * The HTTP server's event loops.
 */
@NullMarked
package dev.amqpgateway.http;

import org.jspecify.annotations.NullMarked;
