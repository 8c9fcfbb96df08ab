package dev.amqpgateway.http;

import java.util.Set;

import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import dev.amqpgateway.consume.ConsumerBackends;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.MethodNotAllowedException;

/**
 * The consumer endpoints' routes: a GET route per configured path, 405 for every other method on it.
 */
@Configuration(proxyBeanMethods = false)
class ConsumerRoutesConfiguration {

	/**
	 * Lets a response's writer learn when its last byte was written, so that its messages are
	 * acknowledged then and not before.
	 */
	@Bean
	NettyServerCustomizer writeCompletion() {
		return WriteCompletion.customizer();
	}

	@Bean
	RouterFunction<ServerResponse> consumerRoutes(GatewayProperties properties, ConsumerBackends backends,
			JsonMapper mapper) {
		if (properties.consumerEndpoints().isEmpty()) {
			return (request) -> Mono.empty();
		}
		MessageDecoder decoder = new MessageDecoder(mapper);
		RouterFunctions.Builder routes = RouterFunctions.route();
		for (Endpoint endpoint : properties.consumerEndpoints()) {
			String path = endpoint.endpoint();
			routes.GET(path, new EndpointHandler(endpoint, properties.timeoutOf(endpoint), backends.of(path), decoder,
					mapper));
			routes.route(RequestPredicates.path(path),
					(request) -> Mono.error(new MethodNotAllowedException(request.method(), Set.of(HttpMethod.GET))));
		}
		return routes.build();
	}

}
