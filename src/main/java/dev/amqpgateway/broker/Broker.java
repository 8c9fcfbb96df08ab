package dev.amqpgateway.broker;

import java.util.List;
import java.util.stream.Collectors;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * One broker, as named by a distinct host list: its connection factory, admin and template.
 *
 * @param id short identifier, such as {@code broker-0}
 * @param uris the URLs of the host list, in the order they are tried
 * @param connectionFactory the connection factory shared by every backend of this broker
 * @param admin the admin that declares this broker's share of the topology on every new connection
 * @param template the template for one-off operations on this broker
 * @param connector where the backends of this broker open its connection
 */
public record Broker(String id, List<BrokerUri> uris, CachingConnectionFactory connectionFactory,
		RabbitAdmin admin, RabbitTemplate template, BrokerConnector connector) {

	/**
	 * The host list without passwords.
	 * @return the URLs as they may be shown
	 */
	public String display() {
		return this.uris.stream().map(BrokerUri::display).collect(Collectors.joining(","));
	}

	@Override
	public String toString() {
		return this.id + " [" + display() + "]";
	}

}
