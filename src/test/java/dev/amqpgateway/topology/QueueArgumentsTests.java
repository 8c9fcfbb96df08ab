package dev.amqpgateway.topology;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queue arguments keep their types when the configuration only has text.
 */
class QueueArgumentsTests {

	@Test
	void numericArgumentGivenAsTextBecomesANumber() {
		assertThat(QueueArguments.of(Map.of("x-max-length", "1000"))).containsEntry("x-max-length", 1000L);
	}

	@Test
	void numberStaysAsConfigured() {
		assertThat(QueueArguments.of(Map.of("x-message-ttl", 60000))).containsEntry("x-message-ttl", 60000);
	}

	@Test
	void flagGivenAsTextBecomesABoolean() {
		assertThat(QueueArguments.of(Map.of("x-single-active-consumer", "true")))
			.containsEntry("x-single-active-consumer", true);
	}

	@Test
	void textArgumentStaysText() {
		assertThat(QueueArguments.of(Map.of("x-queue-type", "quorum", "x-dead-letter-exchange", "1")))
			.containsEntry("x-queue-type", "quorum")
			.containsEntry("x-dead-letter-exchange", "1");
	}

	@Test
	void nonNumericTextForANumericArgumentIsLeftForTheBrokerToRefuse() {
		assertThat(QueueArguments.of(Map.of("x-max-length", "lots"))).containsEntry("x-max-length", "lots");
	}

	@Test
	void keepsTheConfiguredOrder() {
		Map<String, Object> configured = new LinkedHashMap<>();
		configured.put("x-queue-type", "quorum");
		configured.put("x-delivery-limit", "5");
		configured.put("x-dead-letter-exchange", "dlx");
		assertThat(QueueArguments.of(configured)).containsExactly(Map.entry("x-queue-type", "quorum"),
				Map.entry("x-delivery-limit", 5L), Map.entry("x-dead-letter-exchange", "dlx"));
	}

}
