package dev.amqpgateway.config;

import dev.amqpgateway.AmqpGatewayApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A startup failure report names the offending key without the broker password of any value.
 */
@ExtendWith(OutputCaptureExtension.class)
class GatewayConfigurationFailureAnalyzerTests {

	@Test
	void aMisspeltHostKeyIsReportedWithoutItsPassword(CapturedOutput output) {
		String prefix = "--gateway.endpoints[0].";
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(AmqpGatewayApplication.class)
			.web(WebApplicationType.NONE)
			.run(prefix + "endpoint=/orders", prefix + "backend[0].host[0]=amqp://app:first-Zk4q@127.0.0.1:1",
					prefix + "backend[0].hosts[0]=amqp://app:second-Zk4q@127.0.0.1:1",
					prefix + "backend[0].amqp.consumer.name=orders", prefix + "backend[0].amqp.consumer.exchange=orders",
					prefix + "backend[0].amqp.consumer.routing_key[0]=#"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("gateway.endpoints[0].backend[0].hosts[0]")
			.doesNotContain("Zk4q");
	}

	@Test
	void aWrongAgentKeyIsReportedInSnakeCaseWithoutItsPassword(CapturedOutput output) {
		String prefix = "--gateway.async_agents[0].";
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(AmqpGatewayApplication.class)
			.web(WebApplicationType.NONE)
			.run(prefix + "name=billing", prefix + "consumer.topic=#",
					prefix + "backend[0].host[0]=http://billing:8080", prefix + "backend[0].url_pattern=invoices",
					prefix + "amqp.host[0]=http://app:first-Zk4q@127.0.0.1:1", prefix + "amqp.name=invoices",
					prefix + "amqp.exchange=billing"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("Property: gateway.async_agents[0].amqp.host[0]")
			.contains("Reason: must start with amqp:// or amqps://")
			.contains("Property: gateway.async_agents[0].backend[0].url_pattern")
			.doesNotContain("Zk4q");
	}

}
