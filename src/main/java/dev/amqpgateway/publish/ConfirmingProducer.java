package dev.amqpgateway.publish;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import dev.amqpgateway.broker.Broker;
import dev.amqpgateway.broker.ChannelStatus;
import dev.amqpgateway.broker.ReconnectingChannel;
import dev.amqpgateway.config.Backend;
import dev.amqpgateway.config.Producer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * A producer backend: a channel in confirm mode, kept open and reconnected, on which each
 * request's message is published and answered once the broker confirmed, refused or returned it.
 *
 * <p>Publishes run on a thread of the backend's own, one at a time, since a publish may block on
 * the broker's socket and takes the channel's next sequence number; confirms and returns come on
 * the AMQP client's thread. A confirm may cover many publishes at once ({@code multiple}); a
 * return comes before the confirm of the same message and is matched to its publish by a header
 * carrying the publish's sequence number, as Spring AMQP's template does with its correlation
 * header. Spring's {@code RabbitTemplate} is not used: it waits for a confirm on a correlation
 * future per message, and its cached channels would hide the loss of the one that owes confirms.
 */
final class ConfirmingProducer implements ProducerBackend, ReconnectingChannel.User {

	private static final Log logger = LogFactory.getLog(ConfirmingProducer.class);

	private final String endpoint;

	private final int index;

	private final Backend backend;

	private final Broker broker;

	private final Producer producer;

	private final MessageTemplate template;

	private final ProducerMetrics metrics;

	private final ReconnectingChannel channel;

	private final ThreadPoolExecutor publisher;

	/** The confirms owed on the current channel; replaced when a channel opens. */
	private volatile @Nullable Confirms confirms;

	ConfirmingProducer(String endpoint, int index, Backend backend, ReconnectingChannel.Settings settings,
			ProducerMetrics metrics) {
		this.endpoint = endpoint;
		this.index = index;
		this.backend = backend;
		this.broker = settings.broker();
		this.producer = backend.producer();
		this.template = new MessageTemplate(this.producer, endpoint);
		this.metrics = metrics;
		this.channel = new ReconnectingChannel(settings, describe(), true, this, logger);
		CustomizableThreadFactory threads = new CustomizableThreadFactory(
				"gateway-publish-" + this.broker.id() + "-" + index + "-");
		threads.setDaemon(true);
		this.publisher = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads);
		this.publisher.allowCoreThreadTimeOut(true);
		if (this.producer.exclusive()) {
			logger.warn("exclusive means nothing for an exchange and is ignored (KrakenD would make the exchange "
					+ "internal, refusing every publish): " + describe());
		}
		if (this.template.routingKeyTakenLiterally()) {
			logger.warn("routing_key '" + this.producer.routingKey() + "' names no parameter of " + endpoint
					+ ", so it is used as written, as if static_routing_key were true: " + describe());
		}
	}

	@Override
	public Mono<PublishOutcome> publish(PublishRequest request, Duration timeout) {
		String messageId = this.template.messageId(request);
		String routingKey = this.template.routingKey(request);
		// Checked before anything is sent: a bad value answers 400 and publishes nothing.
		this.template.properties(request, messageId, 0);
		return Mono.<PublishOutcome>create((sink) -> {
			try {
				this.publisher.execute(() -> send(request, messageId, routingKey, sink));
			}
			catch (RejectedExecutionException ex) {
				sink.success(unavailable(messageId, "the gateway is shutting down", false));
			}
		}).timeout(timeout, Mono.fromSupplier(() -> new PublishOutcome.TimedOut(messageId)));
	}

	private void send(PublishRequest request, String messageId, String routingKey, MonoSink<PublishOutcome> sink) {
		Confirms owed = this.confirms;
		Channel current = this.channel.channel();
		if (owed == null || current == null || owed.channel != current || !this.channel.isUp()) {
			sink.success(unavailable(messageId, null, false));
			return;
		}
		long sequence = current.getNextPublishSeqNo();
		AMQP.BasicProperties properties = this.template.properties(request, messageId, sequence);
		owed.pending.put(sequence, new Pending(sink, messageId, System.nanoTime()));
		try {
			current.basicPublish(this.producer.exchange(), routingKey, this.producer.mandatory(), false, properties,
					request.body());
			this.metrics.published();
		}
		catch (IOException | ShutdownSignalException ex) {
			Pending pending = owed.pending.remove(sequence);
			if (pending != null) {
				pending.sink.success(unavailable(messageId, ex.getMessage(), false));
			}
		}
	}

	private PublishOutcome.Unavailable unavailable(String messageId, @Nullable String reason, boolean published) {
		ChannelStatus status = status();
		String why = (reason != null) ? reason
				: (status.lastError() != null) ? status.lastError() : status.state().name().toLowerCase();
		this.channel.wanted("a request asked for it");
		return new PublishOutcome.Unavailable(messageId, why, published, status().nextAttempt());
	}

	@Override
	public void opened(Channel opened) throws IOException {
		opened.confirmSelect();
		Confirms owed = new Confirms(opened);
		opened.addConfirmListener((tag, multiple) -> owed.settle(tag, multiple, true),
				(tag, multiple) -> owed.settle(tag, multiple, false));
		opened.addReturnListener(owed::returned);
		this.confirms = owed;
	}

	@Override
	public void lost(String reason) {
		Confirms owed = this.confirms;
		this.confirms = null;
		if (owed != null) {
			owed.lost(reason);
		}
	}

	@Override
	public String working() {
		return "Publishing";
	}

	@Override
	public String failing() {
		return "Cannot publish";
	}

	CompletableFuture<Void> start() {
		return this.channel.start();
	}

	void stop() {
		this.channel.stop();
		this.publisher.shutdown();
	}

	@Override
	public String endpoint() {
		return this.endpoint;
	}

	@Override
	public int index() {
		return this.index;
	}

	@Override
	public Backend backend() {
		return this.backend;
	}

	@Override
	public Broker broker() {
		return this.broker;
	}

	@Override
	public ChannelStatus status() {
		return this.channel.status();
	}

	private String describe() {
		return "endpoint " + this.endpoint + " backend " + this.index + " (exchange '" + this.producer.exchange()
				+ "' on " + this.broker.id() + ")";
	}

	/**
	 * A publish waiting for the broker's answer.
	 */
	private record Pending(MonoSink<PublishOutcome> sink, String messageId, long sentNanos) {
	}

	/**
	 * The publishes of one channel that wait for their confirm, by sequence number.
	 */
	private final class Confirms {

		private final Channel channel;

		private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();

		/** Returned publishes whose confirm has not come yet, with the broker's reason. */
		private final Map<Long, String> returned = new java.util.concurrent.ConcurrentHashMap<>();

		Confirms(Channel channel) {
			this.channel = channel;
		}

		void returned(Return returned) {
			Map<String, Object> headers = returned.getProperties().getHeaders();
			Object sequence = (headers != null) ? headers.get(MessageTemplate.SEQUENCE_HEADER) : null;
			if (sequence instanceof Number number) {
				this.returned.put(number.longValue(), returned.getReplyCode() + " " + returned.getReplyText());
			}
		}

		void settle(long tag, boolean multiple, boolean ack) {
			if (multiple) {
				Map<Long, Pending> settled = this.pending.headMap(tag, true);
				for (Map.Entry<Long, Pending> entry : settled.entrySet()) {
					answer(entry.getKey(), entry.getValue(), ack);
				}
				settled.clear();
			}
			else {
				Pending one = this.pending.remove(tag);
				if (one != null) {
					answer(tag, one, ack);
				}
			}
		}

		private void answer(long tag, Pending pending, boolean ack) {
			String returnedBecause = this.returned.remove(tag);
			PublishOutcome outcome = !ack ? new PublishOutcome.Nacked(pending.messageId())
					: (returnedBecause != null) ? new PublishOutcome.Unroutable(pending.messageId(), returnedBecause)
							: new PublishOutcome.Confirmed(pending.messageId());
			ConfirmingProducer.this.metrics.answered(outcome, pending.sentNanos());
			pending.sink().success(outcome);
		}

		void lost(String reason) {
			for (Long tag : this.pending.keySet()) {
				Pending one = this.pending.remove(tag);
				if (one != null) {
					one.sink().success(new PublishOutcome.Unavailable(one.messageId(),
							reason + "; the connection was lost before the broker confirmed", true,
							status().nextAttempt()));
				}
			}
			this.returned.clear();
		}

	}

}
