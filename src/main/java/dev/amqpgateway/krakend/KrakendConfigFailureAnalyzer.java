package dev.amqpgateway.krakend;

import java.util.stream.Collectors;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a KrakenD file the gateway refuses to run, one line per reason, each with its JSON path.
 */
class KrakendConfigFailureAnalyzer extends AbstractFailureAnalyzer<KrakendConfigException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, KrakendConfigException cause) {
		String description = cause.problems()
			.stream()
			.map((problem) -> String.format("%n    %s", problem))
			.collect(Collectors.joining("", "The KrakenD configuration " + cause.file() + " cannot run:", ""));
		return new FailureAnalysis(description,
				"Fix the file, or remove what the gateway does not run (docs/krakend.md lists what runs as it is).",
				cause);
	}

}
