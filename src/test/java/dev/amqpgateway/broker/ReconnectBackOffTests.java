package dev.amqpgateway.broker;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import dev.amqpgateway.config.BackoffStrategy;
import org.junit.jupiter.api.Test;

import org.springframework.util.backoff.BackOffExecution;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The waits of SPEC §5, attempt {@code i} counted from 0.
 */
class ReconnectBackOffTests {

	static final Duration CAP = Duration.ofSeconds(60);

	@Test
	void linearWaitsISecondsStartingWithNothing() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.LINEAR, CAP, 0);
		assertThat(IntStream.range(0, 4).mapToObj(backOff::waitBefore)).containsExactly(Duration.ZERO,
				Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));
	}

	@Test
	void exponentialWaitsTwoToTheIthSeconds() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL, CAP, 0);
		assertThat(IntStream.range(0, 4).mapToObj(backOff::waitBefore)).containsExactly(Duration.ofSeconds(1),
				Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));
	}

	@Test
	void fallbackWaitsOneSecondEveryTime() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.FALLBACK, CAP, 0);
		assertThat(IntStream.range(0, 4).mapToObj(backOff::waitBefore)).containsOnly(Duration.ofSeconds(1));
	}

	@Test
	void linearJitterStaysWithinAThird() {
		assertThat(new ReconnectBackOff(BackoffStrategy.LINEAR_JITTER, CAP, 0, () -> 0.0).waitBefore(3))
			.isEqualTo(Duration.ofSeconds(2));
		assertThat(new ReconnectBackOff(BackoffStrategy.LINEAR_JITTER, CAP, 0, () -> 1.0).waitBefore(3))
			.isEqualTo(Duration.ofSeconds(4));
		assertThat(new ReconnectBackOff(BackoffStrategy.LINEAR_JITTER, CAP, 0).waitBefore(0)).isZero();
	}

	@Test
	void exponentialJitterStaysWithinAThird() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL_JITTER, CAP, 0);
		List<Duration> waits = IntStream.range(0, 200).mapToObj((i) -> backOff.waitBefore(3)).toList();
		assertThat(waits).allSatisfy((wait) -> assertThat(wait).isBetween(Duration.ofMillis(5333), Duration.ofMillis(10667)));
		assertThat(Set.copyOf(waits)).as("jittered").hasSizeGreaterThan(1);
	}

	@Test
	void noWaitExceedsTheCap() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL, Duration.ofMillis(500), 0);
		assertThat(backOff.waitBefore(0)).isEqualTo(Duration.ofMillis(500));
		assertThat(backOff.waitBefore(1000)).isEqualTo(Duration.ofMillis(500));
	}

	@Test
	void anExecutionStopsAfterMaxAttempts() {
		BackOffExecution execution = new ReconnectBackOff(BackoffStrategy.LINEAR, CAP, 2).start();
		assertThat(execution.nextBackOff()).isZero();
		assertThat(execution.nextBackOff()).isEqualTo(1000);
		assertThat(execution.nextBackOff()).isEqualTo(BackOffExecution.STOP);
	}

	@Test
	void anExecutionWithoutMaxAttemptsNeverStops() {
		BackOffExecution execution = new ReconnectBackOff(BackoffStrategy.FALLBACK, CAP, 0).start();
		assertThat(IntStream.range(0, 1000).mapToLong((i) -> execution.nextBackOff())).containsOnly(1000L);
	}

}
