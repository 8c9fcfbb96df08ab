package dev.amqpgateway.support;

import java.time.Duration;

import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A client of the gateway's actuator, which answers on the management port and never on the
 * port of the endpoints ({@code @LocalManagementPort} names it in a test).
 */
public final class Actuator {

	private Actuator() {
	}

	/**
	 * A client bound to the management port.
	 * @param managementPort the port, such as a test's {@code @LocalManagementPort}
	 * @return the client, with a 10 s response timeout
	 */
	public static WebTestClient client(int managementPort) {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + managementPort)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
	}

}
