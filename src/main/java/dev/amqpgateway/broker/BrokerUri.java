package dev.amqpgateway.broker;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * One broker URL of a backend's {@code host} list, taken apart.
 *
 * @param host host name or address of the broker
 * @param port port of the broker
 * @param username user name to authenticate with
 * @param password password to authenticate with
 * @param virtualHost virtual host to open
 * @param tls whether the URL is {@code amqps://}
 */
public record BrokerUri(String host, int port, String username, String password, String virtualHost, boolean tls) {

	/**
	 * Parse a URL such as {@code amqp://user:pass@host:5672/vhost}; user and password default to
	 * guest (the password also when only a user is given), the port to 5672 (5671 for amqps) and the
	 * virtual host to {@code /}, as in KrakenD.
	 * @param url a URL that configuration validation has accepted
	 * @return its parts
	 */
	public static BrokerUri parse(String url) {
		URI uri = URI.create(url.trim());
		boolean tls = "amqps".equalsIgnoreCase(uri.getScheme());
		int port = (uri.getPort() != -1) ? uri.getPort() : (tls ? 5671 : 5672);
		String username = "guest";
		String password = "guest";
		String userInfo = uri.getRawUserInfo();
		if (userInfo != null) {
			int colon = userInfo.indexOf(':');
			username = decode((colon != -1) ? userInfo.substring(0, colon) : userInfo);
			if (colon != -1) {
				password = decode(userInfo.substring(colon + 1));
			}
		}
		String path = uri.getRawPath();
		String virtualHost = (path == null || path.length() <= 1) ? "/" : decode(path.substring(1));
		return new BrokerUri(uri.getHost(), port, username, password, virtualHost, tls);
	}

	private static String decode(String value) {
		return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
	}

	/**
	 * The URL as it may appear in logs, health and problems: without the password.
	 * @return a displayable form of this URL
	 */
	public String display() {
		return (this.tls ? "amqps" : "amqp") + "://" + this.username + "@" + this.host + ":" + this.port
				+ ("/".equals(this.virtualHost) ? "" : "/" + this.virtualHost);
	}

	@Override
	public String toString() {
		return display();
	}

}
