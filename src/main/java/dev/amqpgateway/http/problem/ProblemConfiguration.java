package dev.amqpgateway.http.problem;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;

/**
 * Problem details for every failed request.
 */
@Configuration(proxyBeanMethods = false)
class ProblemConfiguration {

	@Bean
	ProblemDetailsExceptionHandler problemDetailsExceptionHandler(ServerCodecConfigurer codecs) {
		return new ProblemDetailsExceptionHandler(codecs);
	}

}
