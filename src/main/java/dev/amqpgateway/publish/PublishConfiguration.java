package dev.amqpgateway.publish;

import dev.amqpgateway.broker.Brokers;
import dev.amqpgateway.config.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/**
 * The AMQP side of the producer endpoints.
 */
@Configuration(proxyBeanMethods = false)
class PublishConfiguration {

	@Bean
	ProducerBackends producerBackends(GatewayProperties properties, Brokers brokers, TaskScheduler reconnectScheduler,
			MeterRegistry registry) {
		return new ProducerBackends(properties, brokers, reconnectScheduler, registry);
	}

}
