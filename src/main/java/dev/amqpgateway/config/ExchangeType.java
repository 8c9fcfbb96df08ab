package dev.amqpgateway.config;

/**
 * Type of the exchange a consumer declares and binds its queue to.
 */
public enum ExchangeType {

	TOPIC, DIRECT, FANOUT, HEADERS;

	/**
	 * Name of the type as RabbitMQ spells it.
	 * @return the AMQP exchange type
	 */
	public String amqpName() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

}
