import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The queue chores of bench/instances that {@link BenchQueue} lacks: publish persistent messages
 * (what a producer in production publishes), wait until a number
 * of consumers (the gateway instances) are subscribed, and read the queue's ready and consumer
 * counts at this moment (the management API's figures are as old as its last statistics sample).
 *
 * <p>Usage: {@code SharedQueue <uri> publish <queue> <count>}, {@code SharedQueue <uri> consumers
 * <queue> <count> <timeout-seconds>}, {@code SharedQueue <uri> counts <queue>}.
 */
public final class SharedQueue {

	private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder()
		.contentType("application/json")
		.deliveryMode(2)
		.build();

	private SharedQueue() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 3) {
			System.err.println("usage: SharedQueue <amqp-uri> publish|consumers|counts <queue> [count] [timeout-seconds]");
			System.exit(2);
		}
		ConnectionFactory factory = new ConnectionFactory();
		factory.setUri(args[0]);
		String queue = args[2];
		try (Connection connection = factory.newConnection("amqp-gateway bench instances");
				Channel channel = connection.createChannel()) {
			switch (args[1]) {
				case "publish" -> publish(channel, queue, Integer.parseInt(args[3]));
				case "consumers" -> awaitConsumers(channel, queue, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
				case "counts" -> {
					AMQP.Queue.DeclareOk state = channel.queueDeclarePassive(queue);
					System.out.println("ready=" + state.getMessageCount() + " consumers=" + state.getConsumerCount());
				}
				default -> throw new IllegalArgumentException("unknown command " + args[1]);
			}
		}
	}

	private static void publish(Channel channel, String queue, int count) throws Exception {
		channel.confirmSelect();
		for (int i = 0; i < count; i++) {
			channel.basicPublish("", queue, PERSISTENT, BenchQueue.body("\"n\":" + i));
			if (i % 2000 == 1999) {
				channel.waitForConfirmsOrDie(30_000);
			}
		}
		channel.waitForConfirmsOrDie(30_000);
	}

	private static void awaitConsumers(Channel channel, String queue, int count, int timeoutSeconds) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
		int consumers;
		while ((consumers = channel.queueDeclarePassive(queue).getConsumerCount()) < count) {
			if (System.nanoTime() > deadline) {
				System.err.println(queue + " has " + consumers + " consumers, not " + count);
				System.exit(1);
			}
			Thread.sleep(100);
		}
		System.out.println(consumers);
	}

}
