package dev.amqpgateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Entry point of amqp-gateway: RabbitMQ queues served as HTTP endpoints.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AmqpGatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(AmqpGatewayApplication.class, args);
	}

}
