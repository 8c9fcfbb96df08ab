package dev.amqpgateway.broker;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A RabbitMQ {@link ConnectionFactory} that connects to the first reachable URL of a host list,
 * each URL with its own credentials, virtual host and TLS setting.
 *
 * <p>The client's own address list shares one set of credentials and one virtual host, so each
 * URL gets a fully configured factory of its own and this one tries them in turn. A connection
 * the broker drops sends the next attempt to the URL after it first (failover), much like Spring
 * AMQP's {@code AddressShuffleMode.INORDER}; a URL that works stays first until it fails.
 */
class FailoverConnectionFactory extends ConnectionFactory {

	private static final Log logger = LogFactory.getLog(FailoverConnectionFactory.class);

	private final List<BrokerUri> uris;

	private final List<ConnectionFactory> factories;

	private volatile int first;

	FailoverConnectionFactory(List<BrokerUri> uris, Function<BrokerUri, ConnectionFactory> factoryOfUri) {
		this.uris = List.copyOf(uris);
		this.factories = new ArrayList<>(uris.size());
		uris.forEach((uri) -> this.factories.add(factoryOfUri.apply(uri)));
		setAutomaticRecoveryEnabled(false);
		// Only shown by Spring's "Attempting to connect to" log line; the attempts themselves use the URLs.
		setHost(this.uris.get(0).host());
		setPort(this.uris.get(0).port());
	}

	@Override
	public Connection newConnection(ExecutorService executor, AddressResolver addressResolver,
			String clientProvidedName) throws IOException, TimeoutException {
		int count = this.factories.size();
		int start = this.first;
		Exception last = null;
		for (int tried = 0; tried < count; tried++) {
			int index = (start + tried) % count;
			try {
				Connection connection = this.factories.get(index).newConnection(executor, clientProvidedName);
				this.first = index;
				connection.addShutdownListener((signal) -> failedOver(index, signal.isInitiatedByApplication()));
				return connection;
			}
			catch (IOException | TimeoutException | RuntimeException ex) {
				last = ex;
				if (tried + 1 < count) {
					logger.info("Broker " + this.uris.get(index) + " is not reachable (" + Failures.describe(ex)
							+ "); trying " + this.uris.get((index + 1) % count));
				}
			}
		}
		if (last instanceof IOException io) {
			throw io;
		}
		if (last instanceof TimeoutException timeout) {
			throw timeout;
		}
		throw (RuntimeException) last;
	}

	private void failedOver(int index, boolean closedByUs) {
		if (!closedByUs && this.first == index) {
			this.first = (index + 1) % this.factories.size();
		}
	}

}
