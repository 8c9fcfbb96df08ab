package dev.amqpgateway.topology;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * The {@code queue_arguments} of a consumer as queue.declare receives them.
 */
class QueueArgumentsTests {

	@Test
	void keepsNumbersFromYamlAsTheyAre() {
		assertThat(QueueArguments.of(Map.of("x-max-length", 1000))).containsExactly(entry("x-max-length", 1000));
	}

	@Test
	void turnsNumericTextOfNumericArgumentsIntoNumbers() {
		assertThat(QueueArguments.of(Map.of("x-message-ttl", "60000"))).containsExactly(entry("x-message-ttl", 60000L));
	}

	@Test
	void readsNumericTextDespiteSurroundingWhitespace() {
		assertThat(QueueArguments.of(Map.of("x-max-length", " 10 "))).containsExactly(entry("x-max-length", 10L));
	}

	@Test
	void readsNegativeNumericText() {
		assertThat(QueueArguments.of(Map.of("x-expires", "-1"))).containsExactly(entry("x-expires", -1L));
	}

	@Test
	void turnsEveryNumericArgumentIntoANumber() {
		Map<String, Object> configured = new LinkedHashMap<>();
		for (String name : new String[] { "x-message-ttl", "x-expires", "x-max-length", "x-max-length-bytes",
				"x-max-priority", "x-delivery-limit", "x-quorum-initial-group-size", "x-quorum-target-group-size",
				"x-stream-max-segment-size-bytes", "x-initial-cluster-size", "x-consumer-timeout" }) {
			configured.put(name, "5");
		}
		assertThat(QueueArguments.of(configured).values()).containsOnly(5L);
	}

	@Test
	void leavesTextThatIsNotANumberForTheBrokerToRefuse() {
		assertThat(QueueArguments.of(Map.of("x-max-length", "lots"))).containsExactly(entry("x-max-length", "lots"));
	}

	@Test
	void leavesTextTooLongForANumberForTheBrokerToRefuse() {
		assertThat(QueueArguments.of(Map.of("x-max-length", "99999999999999999999")))
			.containsExactly(entry("x-max-length", "99999999999999999999"));
	}

	@Test
	void leavesNumericTextOfTextArgumentsAsText() {
		assertThat(QueueArguments.of(Map.of("x-dead-letter-routing-key", "404")))
			.containsExactly(entry("x-dead-letter-routing-key", "404"));
	}

	@Test
	void leavesTextArgumentsAsText() {
		assertThat(QueueArguments.of(Map.of("x-queue-type", "quorum", "x-max-age", "7D")))
			.containsOnly(entry("x-queue-type", "quorum"), entry("x-max-age", "7D"));
	}

	@Test
	void turnsTextOfFlagsIntoBooleans() {
		assertThat(QueueArguments.of(Map.of("x-single-active-consumer", "TRUE")))
			.containsExactly(entry("x-single-active-consumer", true));
	}

	@Test
	void leavesBooleansAsTheyAre() {
		assertThat(QueueArguments.of(Map.of("x-single-active-consumer", false)))
			.containsExactly(entry("x-single-active-consumer", false));
	}

	@Test
	void keepsTheConfiguredOrder() {
		Map<String, Object> configured = new LinkedHashMap<>();
		configured.put("x-queue-type", "quorum");
		configured.put("x-dead-letter-exchange", "dlx");
		configured.put("x-delivery-limit", "3");
		assertThat(QueueArguments.of(configured)).containsExactly(entry("x-queue-type", "quorum"),
				entry("x-dead-letter-exchange", "dlx"), entry("x-delivery-limit", 3L));
	}

	@Test
	void answersNothingForNoArguments() {
		assertThat(QueueArguments.of(Map.of())).isEmpty();
	}

}
