package dev.amqpgateway.http;

import dev.amqpgateway.config.GatewayProperties;
import reactor.netty.resources.LoopResources;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The HTTP server's event loops: {@code gateway.event_loops} of them, by default half the
 * processors. Reactor Netty's default (at least four) measured slower here: with the broker and the
 * AMQP client sharing the machine, more loops mean more threads woken per request; a drain with one
 * loop on two cores ran about half as fast again as with four (bench/RESULTS.md).
 */
@Configuration(proxyBeanMethods = false)
class HttpServerConfiguration {

	/**
	 * Replaces Boot's resource factory (global Reactor Netty resources) with one whose loops the
	 * gateway sizes; it owns them and disposes of them on shutdown.
	 */
	@Bean
	ReactorResourceFactory reactorResourceFactory(GatewayProperties properties) {
		ReactorResourceFactory factory = new ReactorResourceFactory();
		factory.setUseGlobalResources(false);
		factory.setLoopResourcesSupplier(
				() -> LoopResources.create("gateway-http", properties.effectiveEventLoops(), true));
		return factory;
	}

}
