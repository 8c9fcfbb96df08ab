/**
 * A KrakenD configuration file ({@code krakend.json}, version 3) run as it is: its AMQP endpoints
 * and async agents become {@code gateway.*} properties beside those of {@code application.yaml},
 * bound and validated like them, each value tracing back to its JSON path and line.
 */
@NullMarked
package dev.amqpgateway.krakend;

import org.jspecify.annotations.NullMarked;
