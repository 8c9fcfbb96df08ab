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
 * URL gets a fully configured factory of its own and this one tries them in order.
 */
class FailoverConnectionFactory extends ConnectionFactory {

	private static final Log logger = LogFactory.getLog(FailoverConnectionFactory.class);

	private final List<BrokerUri> uris;

	private final List<ConnectionFactory> factories;

	FailoverConnectionFactory(List<BrokerUri> uris, Function<BrokerUri, ConnectionFactory> factoryOfUri) {
		this.uris = List.copyOf(uris);
		this.factories = new ArrayList<>(uris.size());
		uris.forEach((uri) -> this.factories.add(factoryOfUri.apply(uri)));
		setAutomaticRecoveryEnabled(false);
	}

	@Override
	public Connection newConnection(ExecutorService executor, AddressResolver addressResolver,
			String clientProvidedName) throws IOException, TimeoutException {
		Exception last = null;
		for (int i = 0; i < this.factories.size(); i++) {
			try {
				return this.factories.get(i).newConnection(executor, clientProvidedName);
			}
			catch (IOException | TimeoutException | RuntimeException ex) {
				last = ex;
				if (i + 1 < this.factories.size()) {
					logger.info("Broker " + this.uris.get(i) + " is not reachable (" + Failures.describe(ex)
							+ "); trying " + this.uris.get(i + 1));
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

}
