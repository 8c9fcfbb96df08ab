import java.util.Arrays;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The huge-message run's chores on the local broker: declare the dead-letter exchange and queue,
 * publish a persistent JSON object of a given size, read a queue's depth, delete what the run
 * declared. Usage: {@code HugeMessage <uri> setup|publish|depth|cleanup <name> [routing-key size-in-bytes]}.
 */
public final class HugeMessage {

	private HugeMessage() {
	}

	public static void main(String[] args) throws Exception {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setUri(args[0]);
		String name = args[2];
		try (Connection connection = factory.newConnection("amqp-gateway bench huge");
				Channel channel = connection.createChannel()) {
			switch (args[1]) {
				case "setup" -> {
					channel.exchangeDeclare(name + "-dlx", BuiltinExchangeType.FANOUT, false, false, null);
					channel.queueDeclare(name + "-dlq", false, false, false, null);
					channel.queueBind(name + "-dlq", name + "-dlx", "");
				}
				case "publish" -> {
					channel.confirmSelect();
					AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().contentType("application/json")
						.deliveryMode(2)
						.build();
					channel.basicPublish(name, args[3], persistent, json(Integer.parseInt(args[4])));
					channel.waitForConfirmsOrDie(120_000);
				}
				case "depth" -> System.out.println(channel.queueDeclarePassive(name).getMessageCount());
				case "cleanup" -> {
					for (String queue : new String[] { name + "-dlq", name, name + "-neighbour" }) {
						channel.queueDelete(queue);
					}
					channel.exchangeDelete(name + "-dlx");
					channel.exchangeDelete(name);
				}
				default -> throw new IllegalArgumentException("unknown command " + args[1]);
			}
		}
	}

	private static byte[] json(int size) {
		byte[] start = "{\"data\":\"".getBytes();
		byte[] body = new byte[Math.max(size, start.length + 2)];
		System.arraycopy(start, 0, body, 0, start.length);
		Arrays.fill(body, start.length, body.length - 2, (byte) 'x');
		body[body.length - 2] = '"';
		body[body.length - 1] = '}';
		return body;
	}

}
