package dev.amqpgateway.config;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * TLS material for {@code amqps://} hosts; the JVM's trust store when nothing is set.
 *
 * @param trustStore location of the trust store, such as {@code file:/etc/gateway/ca.p12}
 * @param trustStorePassword password of the trust store
 * @param trustStoreType type of the trust store
 * @param keyStore location of the key store holding the client certificate, if the broker asks for one
 * @param keyStorePassword password of the key store
 * @param keyStoreType type of the key store
 * @param verifyHostname whether the broker's certificate must match the host name
 */
public record Tls(
		@Nullable String trustStore,
		@Nullable String trustStorePassword,
		@DefaultValue("PKCS12") String trustStoreType,
		@Nullable String keyStore,
		@Nullable String keyStorePassword,
		@DefaultValue("PKCS12") String keyStoreType,
		@DefaultValue("true") boolean verifyHostname) {

	/**
	 * The settings with their passwords masked.
	 */
	@Override
	public String toString() {
		return "Tls[trustStore=" + this.trustStore + ", keyStore=" + this.keyStore + ", verifyHostname="
				+ this.verifyHostname + ", passwords=******]";
	}

}
