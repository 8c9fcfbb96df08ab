package dev.amqpgateway.http;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.amqpgateway.config.AckMode;
import dev.amqpgateway.config.Endpoint;
import dev.amqpgateway.config.GatewayProperties;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.ConsumerBackends;
import io.netty.channel.EventLoop;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.util.context.Context;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.WebFilter;

/**
 * The consumer endpoints' routes: a GET route per configured path, 405 for every other method on it.
 */
@Configuration(proxyBeanMethods = false)
class ConsumerRoutesConfiguration {

	/** The header that names the instance that answered. */
	static final String INSTANCE = "X-Gateway-Instance";

	private static final Log logger = LogFactory.getLog(ConsumerRoutesConfiguration.class);

	/**
	 * Lets a response's writer learn when its last byte was written, so that its messages are
	 * acknowledged then and not before.
	 */
	@Bean
	NettyServerCustomizer writeCompletion() {
		return WriteCompletion.customizer();
	}

	@Bean
	GatewayInstance gatewayInstance(GatewayProperties properties) {
		return GatewayInstance.of(properties.lease().instance());
	}

	/**
	 * Names this instance in every answer, so that a client (or a load balancer) knows where to
	 * send the receipts of what it got.
	 */
	@Bean
	WebFilter gatewayInstanceHeader(GatewayInstance instance) {
		return (exchange, chain) -> {
			exchange.getResponse().getHeaders().set(INSTANCE, instance.name());
			return chain.filter(exchange);
		};
	}

	/**
	 * Has a request that waits for a message woken on its connection's event loop, which writes
	 * its answer, rather than on the broker connection's reader thread.
	 */
	@Bean
	WebFilter wakeOnEventLoop() {
		return (exchange, chain) -> {
			Object request = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
			if (request instanceof Connection connection) {
				EventLoop loop = connection.channel().eventLoop();
				return chain.filter(exchange).contextWrite(Context.of(ConsumerBackend.WAKE_ON, loop));
			}
			return chain.filter(exchange);
		};
	}

	@Bean
	RouterFunction<ServerResponse> consumerRoutes(GatewayProperties properties, ConsumerBackends backends,
			JsonMapper mapper, GatewayInstance instance) {
		if (properties.consumerEndpoints().isEmpty()) {
			return (request) -> Mono.empty();
		}
		String secret = properties.lease().secret();
		Receipts receipts = (secret != null && !secret.isBlank())
				? new Receipts(instance, secret, properties.lease().previousSecrets()) : null;
		MessageDecoder decoder = new MessageDecoder(mapper);
		RouterFunctions.Builder routes = RouterFunctions.route();
		for (Endpoint endpoint : properties.consumerEndpoints()) {
			String path = endpoint.endpoint();
			List<ConsumerBackend> endpointBackends = backends.of(path);
			if (endpoint.ackMode() == AckMode.LEASE && receipts != null) {
				Duration cap = properties.lease().leaseCap();
				if (endpoint.leaseTimeout().compareTo(cap) > 0) {
					logger.warn("lease_timeout of " + path + " (" + endpoint.leaseTimeout() + ") is capped at " + cap
							+ ": the broker closes a channel with a message unacknowledged for its consumer_timeout ("
							+ properties.lease().brokerConsumerTimeout() + ", gateway.lease.broker_consumer_timeout)");
				}
				else {
					logger.info("Leases of " + path + " last " + endpoint.leaseTimeout() + ", extensions at most " + cap
							+ " from the delivery (the broker's consumer_timeout is "
							+ properties.lease().brokerConsumerTimeout() + ")");
				}
				ReceiptHandler receiptHandler = new ReceiptHandler(endpoint, endpointBackends, receipts, instance,
						mapper, cap);
				String base = path.endsWith("/") ? path : path + "/";
				routes.POST(base + "ack", receiptHandler::ack);
				routes.POST(base + "nack", receiptHandler::nack);
				routes.POST(base + "extend", receiptHandler::extend);
			}
			List<Integer> streamCredits = endpointBackends.stream()
				.map((backend) -> (backend.backend().consumer().prefetchCount() > 0)
						? backend.backend().consumer().prefetchCount() : properties.prefetchLimit())
				.toList();
			routes.GET(path, new EndpointHandler(endpoint, properties.timeoutOf(endpoint), endpointBackends, decoder,
					mapper, receipts, streamCredits));
			routes.route(RequestPredicates.path(path),
					(request) -> Mono.error(new MethodNotAllowedException(request.method(), Set.of(HttpMethod.GET))));
		}
		return routes.build();
	}

}
