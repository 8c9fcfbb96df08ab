package dev.amqpgateway.broker;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.SslContextFactory;
import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.GatewayProperties;
import dev.amqpgateway.config.Tls;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationContext;

/**
 * The brokers of the configuration: one {@link Broker} per distinct host list (and TLS setting).
 */
public class Brokers implements DisposableBean {

	private static final Duration HEARTBEAT = Duration.ofSeconds(10);

	private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

	private final Map<BrokerKey, Broker> brokers = new LinkedHashMap<>();

	Brokers(GatewayProperties properties, SslBundles sslBundles, ApplicationContext context) {
		TlsBundles tlsBundles = new TlsBundles(sslBundles, context);
		for (int i = 0; i < properties.endpoints().size(); i++) {
			List<Backend> backends = properties.endpoints().get(i).backend();
			for (int j = 0; j < backends.size(); j++) {
				String tlsKey = "gateway.endpoints[" + i + "].backend[" + j + "].tls";
				add(backends.get(j), tlsKey, tlsBundles, context);
			}
		}
		for (int i = 0; i < properties.asyncAgents().size(); i++) {
			add(properties.asyncAgents().get(i).amqpBackend(), "gateway.async-agents[" + i + "].amqp.tls", tlsBundles,
					context);
		}
	}

	private void add(Backend backend, String tlsKey, TlsBundles tlsBundles, ApplicationContext context) {
		tlsBundles.check(backend.tls(), tlsKey);
		this.brokers.computeIfAbsent(BrokerKey.of(backend),
				(key) -> create("broker-" + this.brokers.size(), key, tlsKey, tlsBundles, context));
	}

	/**
	 * The broker a backend talks to.
	 * @param backend one of the configured backends
	 * @return its broker
	 */
	public Broker brokerFor(Backend backend) {
		Broker broker = this.brokers.get(BrokerKey.of(backend));
		if (broker == null) {
			throw new IllegalArgumentException("No broker for " + backend.host().size() + " host(s)");
		}
		return broker;
	}

	/**
	 * Every broker of the configuration.
	 * @return the brokers, in the order the configuration first names them
	 */
	public Collection<Broker> all() {
		return this.brokers.values();
	}

	private static Broker create(String id, BrokerKey key, String tlsKey, TlsBundles tlsBundles,
			ApplicationContext context) {
		List<BrokerUri> uris = key.hosts().stream().map(BrokerUri::parse).toList();
		@Nullable SslBundleContextFactory sslContexts = uris.stream().anyMatch(BrokerUri::tls)
				? tlsBundles.contextFactory(key.tls(), tlsKey, id) : null;
		ConnectionFactory rabbit = new FailoverConnectionFactory(uris,
				(uri) -> rabbitFactory(uri, key.tls().verifyHostname(), sslContexts));
		CachingConnectionFactory connectionFactory = new CachingConnectionFactory(rabbit);
		connectionFactory.setConnectionNameStrategy((factory) -> "amqp-gateway " + id);
		connectionFactory.setBeanName(id);
		connectionFactory.setExecutor(new InlineExecutorService());
		RabbitTemplate template = new RabbitTemplate(connectionFactory);
		RabbitAdmin admin = new RabbitAdmin(template);
		admin.setBeanName(id + "-admin");
		admin.setApplicationContext(context);
		admin.setApplicationEventPublisher(context);
		// A conflicting declaration is reported (event, log, health) without failing the connection
		// that every other backend of this broker shares; retrying it would only delay startup.
		admin.setIgnoreDeclarationExceptions(true);
		admin.setRetryTemplate(null);
		admin.afterPropertiesSet();
		return new Broker(id, uris, connectionFactory, admin, template, new BrokerConnector(id, connectionFactory));
	}

	private static ConnectionFactory rabbitFactory(BrokerUri uri, boolean verifyHostname,
			@Nullable SslContextFactory sslContexts) {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setAutomaticRecoveryEnabled(false);
		factory.setHost(uri.host());
		factory.setPort(uri.port());
		factory.setUsername(uri.username());
		factory.setPassword(uri.password());
		factory.setVirtualHost(uri.virtualHost());
		factory.setRequestedHeartbeat((int) HEARTBEAT.toSeconds());
		factory.setConnectionTimeout((int) CONNECTION_TIMEOUT.toMillis());
		// The client fails the whole connection on a body over its limit (64 MiB by default), and
		// the broker hands the same message over again after the reconnect. Accept whatever a
		// broker can be configured to send; the consumer backends reject what is over max_message_size.
		factory.setMaxInboundMessageBodySize((int) GatewayProperties.LARGEST_BROKER_MESSAGE.toBytes() + 1);
		if (uri.tls() && sslContexts != null) {
			// Asked on every connection (useSslProtocol would fix one context), so that an updated
			// SSL bundle reaches the next connection.
			factory.setSslContextFactory(sslContexts);
			if (verifyHostname) {
				factory.enableHostnameVerification();
			}
		}
		return factory;
	}

	@Override
	public void destroy() {
		this.brokers.values().forEach((broker) -> {
			broker.connector().shutdown();
			broker.connectionFactory().destroy();
		});
	}

	private record BrokerKey(List<String> hosts, Tls tls) {

		static BrokerKey of(Backend backend) {
			return new BrokerKey(backend.host().stream().map(String::trim).toList(), backend.tls());
		}

	}

}
