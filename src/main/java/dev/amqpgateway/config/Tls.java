package dev.amqpgateway.config;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * TLS material for {@code amqps://} hosts: a Spring Boot SSL bundle, or trust and key stores;
 * the JVM's trust store when nothing is set.
 *
 * @param bundle name of the SSL bundle ({@code spring.ssl.bundle.jks.*} or {@code spring.ssl.bundle.pem.*})
 * that holds the trust and key material, instead of the store keys
 * @param trustStore location of the trust store, such as {@code file:/etc/gateway/ca.p12}
 * @param trustStorePassword password of the trust store
 * @param trustStoreType type of the trust store; PKCS12 when not set
 * @param keyStore location of the key store holding the client certificate, if the broker asks for one
 * @param keyStorePassword password of the key store
 * @param keyStoreType type of the key store; PKCS12 when not set
 * @param verifyHostname whether the broker's certificate must match the host name
 */
public record Tls(
		@Nullable String bundle,
		@Nullable String trustStore,
		@Nullable String trustStorePassword,
		@Nullable String trustStoreType,
		@Nullable String keyStore,
		@Nullable String keyStorePassword,
		@Nullable String keyStoreType,
		@DefaultValue("true") boolean verifyHostname) {

	/**
	 * The type of store that the store keys fall back to.
	 */
	public static final String DEFAULT_STORE_TYPE = "PKCS12";

	/**
	 * The store keys that are set, in snake_case, as they conflict with {@code bundle}.
	 * @return the names of the set trust and key store keys, empty when only a bundle (or nothing) is set
	 */
	List<String> storeKeys() {
		List<String> keys = new ArrayList<>();
		addIfSet(keys, "trust_store", this.trustStore);
		addIfSet(keys, "trust_store_password", this.trustStorePassword);
		addIfSet(keys, "trust_store_type", this.trustStoreType);
		addIfSet(keys, "key_store", this.keyStore);
		addIfSet(keys, "key_store_password", this.keyStorePassword);
		addIfSet(keys, "key_store_type", this.keyStoreType);
		return keys;
	}

	private static void addIfSet(List<String> keys, String key, @Nullable String value) {
		if (value != null && !value.isBlank()) {
			keys.add(key);
		}
	}

	/**
	 * The settings with their passwords masked.
	 */
	@Override
	public String toString() {
		return "Tls[bundle=" + this.bundle + ", trustStore=" + this.trustStore + ", keyStore=" + this.keyStore
				+ ", verifyHostname=" + this.verifyHostname + ", passwords=******]";
	}

}
