package dev.amqpgateway.consume;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.config.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The AMQP side of the consumer endpoints: their backends, the thread that settles their
 * messages, and the gate that turns requests away at shutdown.
 */
@Configuration(proxyBeanMethods = false)
class ConsumerConfiguration {

	@Bean
	ConsumerBackends consumerBackends(GatewayProperties properties, Brokers brokers, TaskScheduler reconnectScheduler,
			MeterRegistry registry, ScheduledExecutorService ackExecutor) {
		return new ConsumerBackends(properties, brokers, reconnectScheduler, registry, ackExecutor);
	}

	@Bean
	ShutdownGate shutdownGate(ConsumerBackends backends) {
		return new ShutdownGate(backends);
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

}
