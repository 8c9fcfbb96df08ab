/**
 * RFC 9457 problem answers of every failed request, and the exceptions that carry them.
 */
@NullMarked
package dev.amqpgateway.http.problem;

import org.jspecify.annotations.NullMarked;
