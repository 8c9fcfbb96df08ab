package dev.amqpgateway.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Which gateway instance this is, for receipts and for the {@code X-Gateway-Instance} header of
 * every answer: a name (configured, else the host name), and the process, new at every start.
 *
 * @param name the instance's name, by which a load balancer routes receipts back to it
 * @param process a random id of this process
 */
record GatewayInstance(String name, String process) {

	static GatewayInstance of(@Nullable String configured) {
		String name = (configured != null && !configured.isBlank()) ? configured.trim() : hostName();
		return new GatewayInstance(name.replaceAll("[^\\x21-\\x7e]", "_"), UUID.randomUUID().toString());
	}

	private static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "gateway-" + UUID.randomUUID().toString().substring(0, 8);
		}
	}

}
