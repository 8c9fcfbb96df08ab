package dev.amqpgateway.consume;

import java.io.IOException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.amqpgateway.config.Consumer;

/**
 * A backend with manual acknowledgements ({@code auto_ack: false}): one consumer whose deliveries
 * go straight to waiting requests, or wait for the next request in a buffer bounded by the
 * prefetch count. A request takes a delivery only while it is alive; what it took and did not
 * write is requeued by its {@link Lease}.
 */
final class ConsumingBackend extends AbstractConsumerBackend {

	private final Acker acker;

	private final int prefetch;

	ConsumingBackend(BackendContext context) {
		super(context);
		this.acker = context.acker();
		this.prefetch = context.prefetch();
	}

	@Override
	public void opened(Channel channel) throws IOException {
		Consumer consumer = backend().amqp().consumer();
		// Before the first delivery, so that the acker never takes a late settlement of the channel
		// this one replaces for the current one.
		this.acker.adopt(channel);
		channel.basicQos(this.prefetch);
		channel.basicConsume(queue(), false, "", consumer.noLocal(), false, null, new GatewayConsumer(channel));
	}

	@Override
	String settledAs() {
		return "rejected without requeue (dead-lettered if the queue has a dead-letter exchange)";
	}

	@Override
	public void lost(String reason) {
		// Buffered deliveries died with their channel; the broker has requeued them.
		this.handoff.close(unavailable(), true);
	}

	private final class GatewayConsumer extends DefaultConsumer {

		GatewayConsumer(Channel channel) {
			super(channel);
		}

		@Override
		public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
				byte[] body) {
			Channel from = getChannel();
			Delivery.Settlement settlement = ConsumingBackend.this.acker.settlementOf(from, envelope.getDeliveryTag(),
					ConsumingBackend.this.metrics);
			Delivery delivery = new Delivery(body, properties, envelope.isRedeliver(), settlement);
			if (refusedAsOversize(body, delivery::reject)) {
				return;
			}
			// A late delivery of a lost channel, which the broker requeues, is never taken.
			ConsumingBackend.this.handoff.offer(delivery, () -> from == channel());
		}

		@Override
		public void handleCancel(String consumerTag) {
			lost(getChannel(), "the broker cancelled the consumer (queue deleted?)");
		}

	}

}
