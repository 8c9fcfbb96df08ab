package dev.amqpgateway.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.ConsumerBackends;
import dev.amqpgateway.publish.ProducerBackend;
import dev.amqpgateway.publish.ProducerBackends;
import dev.amqpgateway.topology.DeclarationFailures;

import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway's health components ({@code gateway}: endpoint, then backend index; {@code brokers}
 * for the readiness group) and the masking of broker credentials in actuator output.
 */
@Configuration(proxyBeanMethods = false)
class HealthConfiguration {

	@Bean
	CompositeHealthContributor gatewayHealthContributor(ConsumerBackends backends, ProducerBackends producers,
			DeclarationFailures declarationFailures) {
		Map<String, Map<String, HealthContributor>> byEndpoint = new LinkedHashMap<>();
		for (ConsumerBackend backend : backends.all()) {
			byEndpoint.computeIfAbsent(backend.endpoint(), (path) -> new LinkedHashMap<>())
				.put(String.valueOf(backend.index()), new BackendHealthIndicator(backend, declarationFailures));
		}
		for (ProducerBackend backend : producers.all()) {
			byEndpoint.computeIfAbsent(backend.endpoint(), (path) -> new LinkedHashMap<>())
				.put(String.valueOf(backend.index()), new ProducerHealthIndicator(backend));
		}
		Map<String, String> names = ComponentNames.of(byEndpoint.keySet());
		Map<String, HealthContributor> endpoints = new LinkedHashMap<>();
		byEndpoint.forEach(
				(path, indicators) -> endpoints.put(names.get(path), CompositeHealthContributor.fromMap(indicators)));
		return CompositeHealthContributor.fromMap(endpoints);
	}

	@Bean
	BrokersHealthIndicator brokersHealthIndicator(ConsumerBackends backends, ProducerBackends producers) {
		List<BrokersHealthIndicator.Channel> channels = new ArrayList<>();
		backends.all().forEach((backend) -> channels.add(new BrokersHealthIndicator.Channel(backend.broker(),
				backend::status)));
		producers.all().forEach((backend) -> channels.add(new BrokersHealthIndicator.Channel(backend.broker(),
				backend::status)));
		return new BrokersHealthIndicator(channels);
	}

	@Bean
	SanitizingFunction brokerCredentialsSanitizingFunction() {
		return new BrokerCredentialsSanitizingFunction();
	}

}
