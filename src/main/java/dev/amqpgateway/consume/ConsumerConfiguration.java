package dev.amqpgateway.consume;

import java.util.Set;

import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.MethodNotAllowedException;

/**
 * The consumer endpoints: a GET route per configured path, 405 for every other method on it.
 */
@Configuration(proxyBeanMethods = false)
class ConsumerConfiguration {

	@Bean
	Receivers receivers(GatewayProperties properties, Brokers brokers, TaskScheduler reconnectScheduler,
			MeterRegistry registry) {
		return new Receivers(properties, brokers, reconnectScheduler, registry,
				(task) -> Schedulers.boundedElastic().schedule(task));
	}

	@Bean
	RouterFunction<ServerResponse> consumerRoutes(GatewayProperties properties, Receivers receivers, JsonMapper mapper) {
		if (properties.endpoints().isEmpty()) {
			return (request) -> Mono.empty();
		}
		MessageDecoder decoder = new MessageDecoder(mapper);
		RouterFunctions.Builder routes = RouterFunctions.route();
		for (Endpoint endpoint : properties.endpoints()) {
			String path = endpoint.endpoint();
			routes.GET(path, new EndpointHandler(path, properties.timeoutOf(endpoint), receivers.sourcesOf(path),
					decoder, mapper));
			routes.route(RequestPredicates.path(path),
					(request) -> Mono.error(new MethodNotAllowedException(request.method(), Set.of(HttpMethod.GET))));
		}
		return routes.build();
	}

}
