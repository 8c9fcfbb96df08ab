package dev.amqpgateway.krakend;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durations in Go's syntax, as KrakenD files write them.
 */
class GoDurationTests {

	@Test
	void readsEveryUnitAndCompounds() {
		assertThat(GoDuration.parse("1s")).isEqualTo(Duration.ofSeconds(1));
		assertThat(GoDuration.parse("150ms")).isEqualTo(Duration.ofMillis(150));
		assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
		assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
		assertThat(GoDuration.parse("2h45m0.5s")).isEqualTo(Duration.ofHours(2).plusMinutes(45).plusMillis(500));
		assertThat(GoDuration.parse("300us")).isEqualTo(Duration.ofNanos(300_000));
		assertThat(GoDuration.parse("300µs")).isEqualTo(Duration.ofNanos(300_000));
		assertThat(GoDuration.parse("10ns")).isEqualTo(Duration.ofNanos(10));
		assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
	}

	@Test
	void refusesWhatGoRefuses() {
		assertThat(GoDuration.parse("")).isNull();
		assertThat(GoDuration.parse("10")).isNull();
		assertThat(GoDuration.parse("-1s")).isNull();
		assertThat(GoDuration.parse("1 s")).isNull();
		assertThat(GoDuration.parse("1d")).isNull();
		assertThat(GoDuration.parse("s")).isNull();
		assertThat(GoDuration.parse("1s garbage")).isNull();
	}

}
