package dev.amqpgateway.config;

import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Binds {@link GatewayProperties}, refusing unknown keys wherever they are.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GatewayProperties.class)
class GatewayConfiguration {

	// Static: the binder looks advisors up before it binds the first properties bean.
	@Bean
	static ConfigurationPropertiesBindHandlerAdvisor unknownGatewayKeysAdvisor() {
		return UnknownKeysBindHandler::new;
	}

}
