package dev.amqpgateway.broker;

import java.time.Duration;
import java.util.stream.IntStream;

import dev.amqpgateway.config.BackoffStrategy;
import org.junit.jupiter.api.Test;

import org.springframework.util.backoff.BackOffExecution;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The waits between reconnect attempts, attempt {@code i} counted from 0.
 */
class ReconnectBackOffTests {

	private static final Duration NO_CAP = Duration.ofDays(365);

	private static final double LOWEST = 0.0;

	private static final double HIGHEST = 1.0;

	@Test
	void linearWaitsISeconds() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.LINEAR, NO_CAP, 0);
		assertThat(waits(backOff, 5)).containsExactly(seconds(0), seconds(1), seconds(2), seconds(3), seconds(4));
	}

	@Test
	void exponentialWaitsTwoToTheISeconds() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL, NO_CAP, 0);
		assertThat(waits(backOff, 6)).containsExactly(seconds(1), seconds(2), seconds(4), seconds(8), seconds(16),
				seconds(32));
	}

	@Test
	void fallbackWaitsOneSecondEachTime() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.FALLBACK, NO_CAP, 0);
		assertThat(waits(backOff, 4)).containsOnly(seconds(1));
	}

	@Test
	void linearJitterWaitsAThirdLessAtTheLowestDraw() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.LINEAR_JITTER, NO_CAP, 0, () -> LOWEST);
		assertThat(waits(backOff, 4)).containsExactly(millis(0), millis(666), millis(1333), millis(2000));
	}

	@Test
	void linearJitterWaitsAThirdMoreAtTheHighestDraw() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.LINEAR_JITTER, NO_CAP, 0, () -> HIGHEST);
		assertThat(waits(backOff, 4)).containsExactly(millis(0), millis(1333), millis(2666), millis(4000));
	}

	@Test
	void linearJitterWaitsISecondsAtTheMiddleDraw() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.LINEAR_JITTER, NO_CAP, 0, () -> 0.5);
		assertThat(waits(backOff, 4)).containsExactly(seconds(0), seconds(1), seconds(2), seconds(3));
	}

	@Test
	void exponentialJitterWaitsAThirdLessAtTheLowestDraw() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL_JITTER, NO_CAP, 0, () -> LOWEST);
		assertThat(waits(backOff, 4)).containsExactly(millis(666), millis(1333), millis(2666), millis(5333));
	}

	@Test
	void exponentialJitterWaitsAThirdMoreAtTheHighestDraw() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL_JITTER, NO_CAP, 0,
				() -> HIGHEST);
		assertThat(waits(backOff, 4)).containsExactly(millis(1333), millis(2666), millis(5333), millis(10666));
	}

	@Test
	void linearJitterStaysWithinAThird() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.LINEAR_JITTER, NO_CAP, 0);
		for (int attempt = 1; attempt <= 10; attempt++) {
			for (int draw = 0; draw < 200; draw++) {
				assertThat(backOff.waitBefore(attempt)).isBetween(millis(attempt * 2000L / 3),
						millis(attempt * 4000L / 3));
			}
		}
	}

	@Test
	void exponentialJitterStaysWithinAThird() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL_JITTER, NO_CAP, 0);
		for (int attempt = 0; attempt <= 10; attempt++) {
			long base = 1000L << attempt;
			for (int draw = 0; draw < 200; draw++) {
				assertThat(backOff.waitBefore(attempt)).isBetween(millis(base * 2 / 3), millis(base * 4 / 3));
			}
		}
	}

	@Test
	void jitterActuallyVaries() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL_JITTER, NO_CAP, 0);
		assertThat(IntStream.range(0, 50).mapToObj((draw) -> backOff.waitBefore(5)).distinct().count())
			.isGreaterThan(1);
	}

	@Test
	void exponentialIsCappedByMaxBackoff() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL, seconds(10), 0);
		assertThat(waits(backOff, 6)).containsExactly(seconds(1), seconds(2), seconds(4), seconds(8), seconds(10),
				seconds(10));
	}

	@Test
	void linearIsCappedByMaxBackoff() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.LINEAR, seconds(3), 0);
		assertThat(waits(backOff, 6)).containsExactly(seconds(0), seconds(1), seconds(2), seconds(3), seconds(3),
				seconds(3));
	}

	@Test
	void jitterIsCappedByMaxBackoff() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL_JITTER, seconds(5), 0,
				() -> HIGHEST);
		assertThat(backOff.waitBefore(3)).isEqualTo(seconds(5));
	}

	@Test
	void fallbackIsCappedByMaxBackoffShorterThanASecond() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.FALLBACK, millis(250), 0);
		assertThat(backOff.waitBefore(0)).isEqualTo(millis(250));
	}

	@Test
	void exponentialOfAVeryLateAttemptIsTheCap() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL_JITTER, seconds(60), 0);
		assertThat(backOff.waitBefore(Integer.MAX_VALUE)).isEqualTo(seconds(60));
	}

	@Test
	void maxRetriesStopsAfterThatManyAttempts() {
		BackOffExecution execution = new ReconnectBackOff(BackoffStrategy.LINEAR, NO_CAP, 3).start();
		assertThat(execution.nextBackOff()).isEqualTo(0);
		assertThat(execution.nextBackOff()).isEqualTo(1000);
		assertThat(execution.nextBackOff()).isEqualTo(2000);
		assertThat(execution.nextBackOff()).isEqualTo(BackOffExecution.STOP);
		assertThat(execution.nextBackOff()).isEqualTo(BackOffExecution.STOP);
	}

	@Test
	void zeroMaxRetriesNeverStops() {
		BackOffExecution execution = new ReconnectBackOff(BackoffStrategy.FALLBACK, NO_CAP, 0).start();
		assertThat(IntStream.range(0, 10_000).mapToLong((attempt) -> execution.nextBackOff())).containsOnly(1000L);
	}

	@Test
	void eachExecutionStartsAtAttemptZero() {
		ReconnectBackOff backOff = new ReconnectBackOff(BackoffStrategy.EXPONENTIAL, NO_CAP, 2);
		BackOffExecution first = backOff.start();
		first.nextBackOff();
		first.nextBackOff();
		assertThat(first.nextBackOff()).isEqualTo(BackOffExecution.STOP);
		assertThat(backOff.start().nextBackOff()).isEqualTo(1000);
	}

	private static Duration[] waits(ReconnectBackOff backOff, int attempts) {
		BackOffExecution execution = backOff.start();
		return IntStream.range(0, attempts)
			.mapToObj((attempt) -> millis(execution.nextBackOff()))
			.toArray(Duration[]::new);
	}

	private static Duration seconds(long seconds) {
		return Duration.ofSeconds(seconds);
	}

	private static Duration millis(long millis) {
		return Duration.ofMillis(millis);
	}

}
