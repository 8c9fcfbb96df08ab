package dev.amqpgateway.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.testcontainers.containers.Container;
import org.testcontainers.rabbitmq.RabbitMQContainer;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The RabbitMQ the tests run against: the local broker on 127.0.0.1:5672 when one answers (CI and
 * the development machines), else a Testcontainers RabbitMQ started once for the whole run. Set
 * {@code SPRING_RABBIT_USE_LOCAL_SERVER=false} to force the container.
 */
public final class TestBroker {

	private static final String LOCAL_HOST = "127.0.0.1";

	/**
	 * URL of a broker that refuses every connection at once: nothing listens on port 1.
	 */
	public static final String NOWHERE = urlFor(1);

	private static final int LOCAL_PORT = 5672;

	private static final boolean LOCAL = !"false".equalsIgnoreCase(System.getenv("SPRING_RABBIT_USE_LOCAL_SERVER"))
			&& localAnswers();

	private static RabbitMQContainer container;

	private static CachingConnectionFactory connectionFactory;

	private TestBroker() {
	}

	/**
	 * Whether the tests use the local broker (and so may drive it with rabbitmqctl directly).
	 * @return true for the local broker, false for a container
	 */
	public static boolean isLocal() {
		return LOCAL;
	}

	/**
	 * Host of the broker, as tests reach it.
	 * @return the host
	 */
	public static synchronized String host() {
		return isLocal() ? LOCAL_HOST : container().getHost();
	}

	/**
	 * AMQP port of the broker, as tests reach it.
	 * @return the port
	 */
	public static synchronized int port() {
		return isLocal() ? LOCAL_PORT : container().getAmqpPort();
	}

	/**
	 * URL of the broker with the guest account.
	 * @return an amqp:// URL
	 */
	public static String url() {
		return "amqp://guest:guest@" + host() + ":" + port();
	}

	/**
	 * URL, with the guest account, of whatever listens on a port of 127.0.0.1: a {@link TcpProxy} in
	 * front of the broker, say, or nothing at all.
	 * @param port the port
	 * @return an amqp:// URL
	 */
	public static String urlFor(int port) {
		return "amqp://guest:guest@127.0.0.1:" + port;
	}

	/**
	 * A template for publishing test messages and inspecting queues.
	 * @return a template on a shared connection
	 */
	public static synchronized RabbitTemplate template() {
		if (connectionFactory == null) {
			connectionFactory = new CachingConnectionFactory(host(), port());
			connectionFactory.setUsername("guest");
			connectionFactory.setPassword("guest");
			// Tests read back messages larger than the client's default limit of 64 MiB.
			connectionFactory.getRabbitConnectionFactory().setMaxInboundMessageBodySize(Integer.MAX_VALUE);
		}
		return new RabbitTemplate(connectionFactory);
	}

	/**
	 * Publish a JSON message to the broker, persistent as Spring AMQP's messages are by default.
	 * @param exchange the exchange
	 * @param routingKey the routing key
	 * @param body the body, sent in UTF-8
	 */
	public static void publish(String exchange, String routingKey, String body) {
		publish(exchange, routingKey, body, new MessageProperties());
	}

	/**
	 * Publish a JSON message with properties of its own, such as a message id, to the broker.
	 * @param exchange the exchange
	 * @param routingKey the routing key
	 * @param body the body, sent in UTF-8
	 * @param properties the message's properties; its content type is set to JSON
	 */
	public static void publish(String exchange, String routingKey, String body, MessageProperties properties) {
		properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
		template().send(exchange, routingKey, new Message(body.getBytes(StandardCharsets.UTF_8), properties));
	}

	/**
	 * An admin for checking and cleaning up what tests declared.
	 * @return an admin on the shared connection
	 */
	public static RabbitAdmin admin() {
		return new RabbitAdmin(template());
	}

	/**
	 * Declare a fanout dead-letter exchange and a queue bound to it, where a test reads what was
	 * dead-lettered.
	 * @param exchange the exchange that queues name as their {@code x-dead-letter-exchange}
	 * @param queue the queue bound to it
	 */
	public static void declareDeadLetters(String exchange, String queue) {
		RabbitAdmin admin = admin();
		admin.declareExchange(new FanoutExchange(exchange, false, false));
		admin.declareQueue(QueueBuilder.nonDurable(queue).build());
		admin.declareBinding(new Binding(queue, Binding.DestinationType.QUEUE, exchange, "", null));
	}

	/**
	 * Delete what a test declared.
	 * @param queues the queues
	 * @param exchanges the exchanges
	 */
	public static void delete(List<String> queues, String... exchanges) {
		RabbitAdmin admin = admin();
		queues.forEach(admin::deleteQueue);
		for (String exchange : exchanges) {
			admin.deleteExchange(exchange);
		}
	}

	/**
	 * Run {@code rabbitmqctl} against the broker, locally or inside the container.
	 * @param args the command and its arguments
	 * @return what it printed
	 */
	public static String rabbitmqctl(String... args) {
		List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
		command.addAll(List.of(args));
		try {
			if (!isLocal()) {
				Container.ExecResult result = container().execInContainer(command.toArray(new String[0]));
				if (result.getExitCode() != 0) {
					throw new IllegalStateException(command + " failed: " + result.getStderr());
				}
				return result.getStdout();
			}
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException(command + " failed: " + output);
			}
			return output;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Depth of a queue as the broker counts it, messages held by consumers included.
	 * @param queue the queue name
	 * @return ready and unacknowledged messages
	 */
	public static QueueDepth depth(String queue) {
		Map<String, QueueDepth> depths = new HashMap<>();
		for (String line : rabbitmqctl("list_queues", "-q", "--no-table-headers", "name", "messages_ready",
				"messages_unacknowledged").split("\n")) {
			String[] columns = line.trim().split("\\s+");
			if (columns.length == 3) {
				depths.put(columns[0], new QueueDepth(Long.parseLong(columns[1]), Long.parseLong(columns[2])));
			}
		}
		QueueDepth depth = depths.get(queue);
		if (depth == null) {
			throw new IllegalStateException("No queue " + queue + " on the broker");
		}
		return depth;
	}

	/**
	 * Close every client connection of the broker, as a network cut would.
	 */
	public static void closeAllConnections() {
		rabbitmqctl("close_all_connections", "test: connections cut");
	}

	/**
	 * Close, from the broker's side, the client connections coming from one port, as the broker
	 * does when an operator closes a connection; other clients of the broker are left alone.
	 * @param peerPort the client's local port, as the broker sees it
	 * @return how many connections were closed
	 */
	public static int closeConnectionsFrom(int peerPort) {
		return closeConnectionsWhere("peer_port", String.valueOf(peerPort));
	}

	/**
	 * Close, from the broker's side, the client connections of one user; other clients of the
	 * broker are left alone.
	 * @param user the user the connections authenticated as
	 * @return how many connections were closed
	 */
	public static int closeConnectionsOf(String user) {
		return closeConnectionsWhere("user", user);
	}

	private static int closeConnectionsWhere(String column, String value) {
		int closed = 0;
		for (String line : rabbitmqctl("list_connections", "-q", "--no-table-headers", "pid", column).split("\n")) {
			String[] columns = line.trim().split("\\s+");
			if (columns.length == 2 && columns[1].equals(value)) {
				rabbitmqctl("close_connection", columns[0], "test: connection closed");
				closed++;
			}
		}
		return closed;
	}

	private static boolean localAnswers() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(LOCAL_HOST, LOCAL_PORT), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static synchronized RabbitMQContainer container() {
		if (container == null) {
			container = new RabbitMQContainer("rabbitmq:4-management");
			container.start();
		}
		return container;
	}

	/**
	 * How many messages a queue holds.
	 *
	 * @param ready messages waiting for a consumer
	 * @param unacknowledged messages handed to a consumer and not yet acknowledged
	 */
	public record QueueDepth(long ready, long unacknowledged) {

		public long total() {
			return this.ready + this.unacknowledged;
		}

	}

}
