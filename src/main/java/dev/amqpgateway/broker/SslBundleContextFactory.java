package dev.amqpgateway.broker;

import javax.net.ssl.SSLContext;

import com.rabbitmq.client.SslContextFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;

/**
 * The {@link SslContextFactory} of a broker's {@code amqps://} connections: the SSL context of an
 * {@link SslBundle}, made again for the next connection once the bundle is {@link #update updated}.
 *
 * <p>Spring AMQP and Spring Boot hand the RabbitMQ client one fixed context
 * ({@code ConnectionFactory#useSslProtocol(SSLContext)}, also for {@code spring.rabbitmq.ssl.bundle}),
 * so a reloaded bundle would only reach a restarted gateway. The client asks this factory for a
 * context on each connection instead, and gets the one of the latest bundle.
 */
final class SslBundleContextFactory implements SslContextFactory {

	private volatile SslBundle bundle;

	// Written without a lock: it only ever pairs a context with the bundle it came from, so a
	// connection made while the bundle changes at worst makes one more context.
	private volatile @Nullable Made made;

	SslBundleContextFactory(SslBundle bundle) {
		this.bundle = bundle;
	}

	/**
	 * Use the given bundle from the next connection on; connections already open keep theirs.
	 * @param updated the bundle as Spring Boot reloaded it
	 */
	void update(SslBundle updated) {
		this.bundle = updated;
	}

	@Override
	public SSLContext create(String connectionName) {
		SslBundle current = this.bundle;
		Made last = this.made;
		if (last != null && last.bundle() == current) {
			return last.context();
		}
		SSLContext context = current.createSslContext();
		this.made = new Made(current, context);
		return context;
	}

	private record Made(SslBundle bundle, SSLContext context) {
	}

}
