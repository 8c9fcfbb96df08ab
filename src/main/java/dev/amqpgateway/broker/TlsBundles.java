package dev.amqpgateway.broker;

import dev.amqpgateway.config.Tls;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.StringUtils;

/**
 * The SSL bundle of each backend's {@link Tls} settings: a Spring Boot bundle by name, whose
 * updates reach the next connection, or one made from the trust and key store keys.
 */
final class TlsBundles {

	private static final Log logger = LogFactory.getLog(TlsBundles.class);

	private final SslBundles sslBundles;

	private final ResourceLoader resourceLoader;

	TlsBundles(SslBundles sslBundles, ResourceLoader resourceLoader) {
		this.sslBundles = sslBundles;
		this.resourceLoader = resourceLoader;
	}

	/**
	 * Refuse a bundle name that Spring Boot does not know, naming the key.
	 * @param tls the settings of a backend
	 * @param key the settings' key, such as {@code gateway.endpoints[0].backend[0].tls}
	 */
	void check(Tls tls, String key) {
		String name = tls.bundle();
		if (name != null && !this.sslBundles.getBundleNames().contains(name)) {
			throw new InvalidConfigurationPropertyValueException(key + ".bundle", name,
					"is not an SSL bundle: define it under spring.ssl.bundle.jks." + name + " or spring.ssl.bundle.pem."
							+ name + knownBundles());
		}
	}

	private String knownBundles() {
		return this.sslBundles.getBundleNames().isEmpty() ? ""
				: " (the bundles defined are " + String.join(", ", this.sslBundles.getBundleNames()) + ")";
	}

	/**
	 * The SSL contexts of a broker's connections, made once now so that material that cannot be
	 * read stops startup, as any other wrong setting does.
	 * @param tls the settings the broker's backends share, already {@link #check checked}
	 * @param key the settings' key, for the message that stops startup
	 * @param brokerId the broker, for the log line of an update
	 * @return the factory to give each {@code amqps://} connection factory of the broker
	 */
	SslBundleContextFactory contextFactory(Tls tls, String key, String brokerId) {
		String name = tls.bundle();
		SslBundleContextFactory contexts = new SslBundleContextFactory(
				(name != null) ? this.sslBundles.getBundle(name) : storeBundle(tls));
		try {
			contexts.create(brokerId);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("Cannot set up TLS of " + key + ": " + ex.getMessage(), ex);
		}
		if (name != null) {
			this.sslBundles.addBundleUpdateHandler(name, (updated) -> {
				logger.info("SSL bundle '" + name + "' updated; the next connection to " + brokerId + " uses it");
				contexts.update(updated);
			});
		}
		return contexts;
	}

	private SslBundle storeBundle(Tls tls) {
		JksSslStoreDetails keyStore = details(tls.keyStore(), tls.keyStoreType(), tls.keyStorePassword());
		JksSslStoreDetails trustStore = details(tls.trustStore(), tls.trustStoreType(), tls.trustStorePassword());
		return SslBundle.of(new JksSslStoreBundle(keyStore, trustStore, this.resourceLoader));
	}

	// No store: the JVM's trust store, or no client certificate.
	private static @Nullable JksSslStoreDetails details(@Nullable String location, @Nullable String type,
			@Nullable String password) {
		if (!StringUtils.hasText(location)) {
			return null;
		}
		return new JksSslStoreDetails((type != null) ? type : Tls.DEFAULT_STORE_TYPE, null, location, password);
	}

}
