package dev.amqpgateway.config;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.validation.Validator;

/**
 * Binds {@link GatewayProperties}, refusing unknown keys wherever they are and reporting every
 * invalid value at once.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayConfiguration {

	// Static: the binder looks advisors up before it binds the first properties bean.
	@Bean
	static ConfigurationPropertiesBindHandlerAdvisor unknownGatewayKeysAdvisor() {
		return UnknownKeysBindHandler::new;
	}

	// Under this name the binder runs it with the constraint annotations, into one set of errors;
	// static for the same reason as the advisor. Not on the record itself: Boot would also apply
	// a self-validating type to every Object-typed value, such as a queue_arguments entry.
	@Bean(EnableConfigurationProperties.VALIDATOR_BEAN_NAME)
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static Validator configurationPropertiesValidator() {
		return new GatewayPropertiesValidator();
	}

}
