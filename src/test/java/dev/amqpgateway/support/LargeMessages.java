package dev.amqpgateway.support;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Large JSON messages for the tests of big bodies, published the way a producer that cares for
 * them would: persistent, with a JSON content type.
 */
public final class LargeMessages {

	private LargeMessages() {
	}

	/**
	 * A JSON object of exactly the given size: one string member filled with a character.
	 * @param size the size in bytes, at least 12
	 * @param filler the character that fills the string
	 * @return the body
	 */
	public static byte[] jsonObject(int size, char filler) {
		byte[] body = new byte[size];
		byte[] start = "{\"data\":\"".getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(start, 0, body, 0, start.length);
		Arrays.fill(body, start.length, size - 2, (byte) filler);
		body[size - 2] = '"';
		body[size - 1] = '}';
		return body;
	}

	/**
	 * Publish a persistent JSON message to the test broker.
	 * @param exchange the exchange
	 * @param routingKey the routing key
	 * @param body the body
	 */
	public static void publish(String exchange, String routingKey, byte[] body) {
		MessageProperties properties = new MessageProperties();
		properties.setContentType("application/json");
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		TestBroker.template().send(exchange, routingKey, new Message(body, properties));
	}

}
