package dev.amqpgateway.problem;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Problem details for every failed request.
 */
@Configuration(proxyBeanMethods = false)
class ProblemConfiguration {

	@Bean
	ProblemDetailsExceptionHandler problemDetailsExceptionHandler(JsonMapper mapper) {
		return new ProblemDetailsExceptionHandler(mapper);
	}

}
