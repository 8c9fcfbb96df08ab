import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The bench's queue chores over AMQP on the local broker: declare a durable queue bound to a durable
 * direct exchange of the same name (routing key: the queue's name), fill the queue with 1 KiB JSON
 * messages (transient unless {@code persistent} follows the count), read its depth (ready
 * messages), purge it, delete it and its namesake exchange. Usage:
 * {@code BenchQueue <uri> declare|prefill|depth|purge|delete <queue> [count [persistent]]}.
 */
public final class BenchQueue {

	/** The size of every bench message body, in bytes. */
	static final int BODY_SIZE = 1024;

	private BenchQueue() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 3) {
			System.err.println("usage: BenchQueue <amqp-uri> declare|prefill|depth|purge|delete <queue> [count [persistent]]");
			System.exit(2);
		}
		ConnectionFactory factory = new ConnectionFactory();
		factory.setUri(args[0]);
		String queue = args[2];
		try (Connection connection = factory.newConnection("amqp-gateway bench"); Channel channel = connection.createChannel()) {
			switch (args[1]) {
				case "declare" -> {
					channel.exchangeDeclare(queue, "direct", true);
					channel.queueDeclare(queue, true, false, false, null);
					channel.queueBind(queue, queue, queue);
				}
				case "prefill" -> prefill(channel, queue, Integer.parseInt(args[3]),
						(args.length > 4 && args[4].equals("persistent")) ? PERSISTENT : PROPERTIES);
				case "depth" -> System.out.println(channel.queueDeclarePassive(queue).getMessageCount());
				case "purge" -> channel.queuePurge(queue);
				case "delete" -> {
					// The bench configuration names the exchange after the queue.
					channel.queueDelete(queue);
					channel.exchangeDelete(queue);
				}
				default -> throw new IllegalArgumentException("unknown command " + args[1]);
			}
		}
	}

	/**
	 * A JSON object padded to exactly {@link #BODY_SIZE} bytes.
	 * @param fields the object's leading members, already JSON ({@code "t":123,"n":4}), or empty
	 * @return the body
	 */
	static byte[] body(String fields) {
		String head = "{" + fields + (fields.isEmpty() ? "" : ",") + "\"pad\":\"";
		String tail = "\"}";
		char[] pad = new char[BODY_SIZE - head.length() - tail.length()];
		Arrays.fill(pad, 'x');
		return (head + new String(pad) + tail).getBytes(StandardCharsets.US_ASCII);
	}

	/** Transient JSON messages: the bench measures the delivery path, not the broker's disk. */
	static final AMQP.BasicProperties PROPERTIES = new AMQP.BasicProperties.Builder().contentType("application/json")
		.deliveryMode(1)
		.build();

	/** Persistent JSON messages, for bench/agent: what an async agent usually drains. */
	static final AMQP.BasicProperties PERSISTENT = PROPERTIES.builder().deliveryMode(2).build();

	private static void prefill(Channel channel, String queue, int count, AMQP.BasicProperties properties)
			throws Exception {
		channel.confirmSelect();
		for (int i = 0; i < count; i++) {
			channel.basicPublish("", queue, properties, body("\"n\":" + i));
			if (i % 2000 == 1999) {
				channel.waitForConfirmsOrDie(30_000);
			}
		}
		channel.waitForConfirmsOrDie(30_000);
	}

}
