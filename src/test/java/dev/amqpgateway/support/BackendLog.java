package dev.amqpgateway.support;

import java.util.stream.Collectors;

import org.springframework.boot.test.system.CapturedOutput;

/**
 * What the gateway logged about its backends, read from a test's captured output. The log keeps
 * what a backend went through, where its status shows only the latest state (a fast reconnect may
 * already have changed it). Each line about a backend names it as
 * {@code endpoint /orders backend 0 (queue 'orders' on broker-0)}.
 */
public final class BackendLog {

	private BackendLog() {
	}

	/**
	 * The lines the gateway logged about the backends of one endpoint.
	 * @param output the test's captured output
	 * @param endpoint the path of the endpoint
	 * @return the lines, oldest first
	 */
	public static String ofEndpoint(CapturedOutput output, String endpoint) {
		return linesContaining(output, "endpoint " + endpoint + " backend ");
	}

	/**
	 * The lines the gateway logged about the backend of one queue.
	 * @param output the test's captured output
	 * @param queue the name of the queue
	 * @return the lines, oldest first
	 */
	public static String ofQueue(CapturedOutput output, String queue) {
		return linesContaining(output, "(queue '" + queue + "' on ");
	}

	private static String linesContaining(CapturedOutput output, String text) {
		return output.getOut().lines().filter((line) -> line.contains(text)).collect(Collectors.joining("\n"));
	}

}
