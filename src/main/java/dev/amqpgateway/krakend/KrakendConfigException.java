package dev.amqpgateway.krakend;

import java.util.List;

/**
 * A KrakenD file the gateway refuses to run: a version other than 3, template syntax, a security
 * namespace it does not enforce, a value it cannot read, or (with {@code gateway.krakend_strict})
 * anything it would skip.
 */
public class KrakendConfigException extends RuntimeException {

	private final String file;

	private final List<String> problems;

	KrakendConfigException(String file, List<String> problems) {
		super("Cannot run " + file + ": " + String.join("; ", problems));
		this.file = file;
		this.problems = List.copyOf(problems);
	}

	/**
	 * The file, as configured.
	 * @return the location given in {@code gateway.krakend_config}
	 */
	public String file() {
		return this.file;
	}

	/**
	 * Each reason, with its JSON path.
	 * @return the problems, in document order
	 */
	public List<String> problems() {
		return this.problems;
	}

}
