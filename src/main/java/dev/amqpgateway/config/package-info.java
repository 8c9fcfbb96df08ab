/**
 * The bound and validated gateway configuration, and the startup failure messages that name a
 * wrong key.
 */
@NullMarked
package dev.amqpgateway.config;

import org.jspecify.annotations.NullMarked;
