package dev.amqpgateway.http;

import java.util.Set;

import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import dev.amqpgateway.publish.ProducerBackends;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.MethodNotAllowedException;

/**
 * The producer endpoints' routes: the endpoint's method (POST unless configured) on its path,
 * with its {@code {name}} parameters; 405 for every other method on it.
 */
@Configuration(proxyBeanMethods = false)
class ProducerRoutesConfiguration {

	@Bean
	RouterFunction<ServerResponse> producerRoutes(GatewayProperties properties, ProducerBackends backends) {
		if (properties.producerEndpoints().isEmpty()) {
			return (request) -> Mono.empty();
		}
		RouterFunctions.Builder routes = RouterFunctions.route();
		for (Endpoint endpoint : properties.producerEndpoints()) {
			String path = endpoint.endpoint();
			HttpMethod method = HttpMethod.valueOf(endpoint.effectiveMethod());
			routes.route(RequestPredicates.method(method).and(RequestPredicates.path(path)),
					new PublishHandler(path, properties.timeoutOf(endpoint), backends.of(path), endpoint.inputHeaders(),
							properties.maxBodySize()));
			routes.route(RequestPredicates.path(path),
					(request) -> Mono.error(new MethodNotAllowedException(request.method(), Set.of(method))));
		}
		return routes.build();
	}

}
