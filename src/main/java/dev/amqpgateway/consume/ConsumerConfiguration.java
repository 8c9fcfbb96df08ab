package dev.amqpgateway.consume;

import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
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
			MeterRegistry registry, ScheduledExecutorService ackExecutor) {
		return new Receivers(properties, brokers, reconnectScheduler, registry,
				ackExecutor);
	}

	/**
	 * Lets a response's writer learn when its last byte was written, so that its messages are
	 * acknowledged then and not before.
	 */
	@Bean
	NettyServerCustomizer writeCompletion() {
		return WriteCompletion.customizer();
	}

	@Bean
	ShutdownGate shutdownGate(Receivers receivers) {
		return new ShutdownGate(receivers);
	}

	/**
	 * The thread that sends every backend's acks and nacks: off the event loops and off the AMQP
	 * client's reader threads, since a write to the broker's socket can block.
	 */
	@Bean(destroyMethod = "shutdown")
	ScheduledExecutorService ackExecutor() {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("gateway-acks-");
		threads.setDaemon(true);
		return Executors.newSingleThreadScheduledExecutor(threads);
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
