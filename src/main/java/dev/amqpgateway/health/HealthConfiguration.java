package dev.amqpgateway.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.amqpgateway.agent.Agent;
import dev.amqpgateway.agent.AsyncAgents;
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
 * The gateway's health components ({@code gateway}: endpoint, then backend index; {@code agents}:
 * one per async agent; {@code brokers} for the readiness group) and the masking of broker credentials in actuator output.
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

	/**
	 * One component per async agent, under {@code agents}, named as the agent.
	 */
	@Bean
	CompositeHealthContributor agentsHealthContributor(AsyncAgents agents, DeclarationFailures declarationFailures) {
		Map<String, HealthContributor> byName = new LinkedHashMap<>();
		for (Agent agent : agents.all()) {
			byName.put(ComponentNames.nameOf(agent.name()),
					new AgentHealthIndicator(agent, new BackendHealthIndicator(agent.queue(), declarationFailures)));
		}
		return CompositeHealthContributor.fromMap(byName);
	}

	@Bean
	BrokersHealthIndicator brokersHealthIndicator(ConsumerBackends backends, ProducerBackends producers,
			AsyncAgents agents) {
		List<BrokersHealthIndicator.Channel> channels = new ArrayList<>();
		backends.all().forEach((backend) -> channels.add(new BrokersHealthIndicator.Channel(backend.broker(),
				backend::status)));
		producers.all().forEach((backend) -> channels.add(new BrokersHealthIndicator.Channel(backend.broker(),
				backend::status)));
		agents.all().forEach((agent) -> channels.add(new BrokersHealthIndicator.Channel(agent.queue().broker(),
				agent.queue()::status)));
		return new BrokersHealthIndicator(channels);
	}

	@Bean
	SanitizingFunction brokerCredentialsSanitizingFunction() {
		return new BrokerCredentialsSanitizingFunction();
	}

}
