package dev.amqpgateway.broker;

import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import dev.amqpgateway.config.Tls;
import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ResourceLoader;
import org.springframework.util.StringUtils;

/**
 * Builds the {@link SSLContext} of {@code amqps://} hosts from a backend's {@link Tls} settings.
 */
final class TlsContextFactory {

	private final ResourceLoader resourceLoader;

	TlsContextFactory(ResourceLoader resourceLoader) {
		this.resourceLoader = resourceLoader;
	}

	SSLContext create(Tls tls) {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(keyManagers(tls), trustManagers(tls), null);
			return context;
		}
		catch (GeneralSecurityException | java.io.IOException ex) {
			throw new IllegalStateException("Cannot set up TLS for the broker: " + ex.getMessage(), ex);
		}
	}

	private KeyManager @Nullable [] keyManagers(Tls tls) throws GeneralSecurityException, java.io.IOException {
		if (!StringUtils.hasText(tls.keyStore())) {
			return null;
		}
		char[] password = password(tls.keyStorePassword());
		KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		factory.init(load(tls.keyStore(), tls.keyStoreType(), password), password);
		return factory.getKeyManagers();
	}

	private TrustManager @Nullable [] trustManagers(Tls tls) throws GeneralSecurityException, java.io.IOException {
		if (!StringUtils.hasText(tls.trustStore())) {
			return null;
		}
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(load(tls.trustStore(), tls.trustStoreType(), password(tls.trustStorePassword())));
		return factory.getTrustManagers();
	}

	private KeyStore load(String location, String type, char @Nullable [] password)
			throws GeneralSecurityException, java.io.IOException {
		KeyStore store = KeyStore.getInstance(type);
		try (InputStream in = this.resourceLoader.getResource(location).getInputStream()) {
			store.load(in, password);
		}
		return store;
	}

	private static char @Nullable [] password(@Nullable String password) {
		return (password != null) ? password.toCharArray() : null;
	}

}
