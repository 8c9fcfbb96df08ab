/**
 * Who may call an endpoint and how often: bearer tokens checked per endpoint, rate limits per
 * endpoint and client, and CORS; each refusal answered before any message is taken or published.
 */
@NullMarked
package dev.amqpgateway.security;

import org.jspecify.annotations.NullMarked;
