package dev.amqpgateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration;

/**
 * Entry point of amqp-gateway: RabbitMQ queues served as HTTP endpoints.
 *
 * <p>The token check of the endpoints with {@code auth} is the gateway's own web filter built on
 * Spring Security's resource server; Boot's reactive security auto-configurations are excluded here,
 * where no configuration file can bring them back: they would add Spring Security's filter chain
 * with a default user and generated password, protecting every endpoint and the actuator.
 */
@SpringBootApplication(exclude = { ReactiveWebSecurityAutoConfiguration.class,
		ReactiveManagementWebSecurityAutoConfiguration.class, ReactiveUserDetailsServiceAutoConfiguration.class,
		ReactiveOAuth2ResourceServerAutoConfiguration.class })
@ConfigurationPropertiesScan
public class AmqpGatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(AmqpGatewayApplication.class, args);
	}

}
