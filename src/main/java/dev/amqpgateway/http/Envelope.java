package dev.amqpgateway.http;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.config.Backend;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.Delivery;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The envelope answer: every message taken, each with its metadata, in backend order and, within a
 * backend, in the order the broker delivered them:
 * {@code {"messages": [{"body": ..., "backend": 0, "queue": "...", ...}]}}. A message that cannot be
 * decoded is settled on its own (requeued or rejected) and listed with an {@code error} instead of a
 * body; the others are answered.
 */
final class Envelope {

	private final ObjectNode root;

	private final ArrayNode messages;

	private final List<Delivery> written = new ArrayList<>();

	private final Map<Delivery, ObjectNode> entriesOf = new IdentityHashMap<>();

	private int entries;

	Envelope(JsonMapper mapper) {
		this.root = mapper.createObjectNode();
		this.messages = this.root.putArray("messages");
	}

	/**
	 * Add one backend's messages.
	 * @param batch what the backend gave
	 * @param decoder decodes a body per the backend's encoding
	 * @param undecodable settles a message that cannot be decoded and says what became of it
	 */
	void add(Batch batch, MessageDecoder decoder, BiFunction<Delivery, String, String> undecodable) {
		ConsumerBackend backend = batch.backend();
		for (Delivery delivery : batch.deliveries()) {
			Entry entry = entry(backend, delivery, decoder, undecodable);
			this.messages.add(entry.json());
			this.entries++;
			if (entry.decoded()) {
				this.written.add(delivery);
				this.entriesOf.put(delivery, entry.json());
			}
		}
	}

	/**
	 * One message as the envelope lists it: its body decoded, or the error that settled it, and
	 * its metadata.
	 * @param backend the backend it came from
	 * @param delivery the message
	 * @param decoder decodes a body per the backend's encoding
	 * @param undecodable settles a message that cannot be decoded and says what became of it
	 * @return the entry
	 */
	static Entry entry(ConsumerBackend backend, Delivery delivery, MessageDecoder decoder,
			BiFunction<Delivery, String, String> undecodable) {
		ObjectNode entry = JsonNodeFactory.instance.objectNode();
		ObjectNode metadata = describe(backend, delivery);
		boolean decoded;
		try {
			entry.set("body", decoder.envelopeBody(backend.backend(), delivery.body()));
			decoded = true;
		}
		catch (MessageDecoder.UndecodableBodyException ex) {
			entry.put("error", undecodable.apply(delivery, ex.reason()));
			decoded = false;
		}
		entry.setAll(metadata);
		return new Entry(entry, decoded);
	}

	/**
	 * A message as the envelope lists it.
	 *
	 * @param json the entry
	 * @param decoded whether it carries the body; false when the message could not be decoded and was settled
	 */
	record Entry(ObjectNode json, boolean decoded) {
	}

	// Before the message is settled: settling a message that failed counts its delivery.
	private static ObjectNode describe(ConsumerBackend backend, Delivery delivery) {
		ObjectNode entry = JsonNodeFactory.instance.objectNode();
		Backend settings = backend.backend();
		entry.put("backend", backend.index());
		if (!settings.group().isEmpty()) {
			entry.put("group", settings.group());
		}
		entry.put("queue", backend.queue());
		entry.put("exchange", delivery.exchange());
		entry.put("routing_key", delivery.routingKey());
		entry.put("redelivered", delivery.redelivered());
		entry.put("delivery_count", backend.deliveryCount(delivery));
		putText(entry, "message_id", delivery.messageId());
		putText(entry, "correlation_id", delivery.correlationId());
		putText(entry, "content_type", delivery.contentType());
		Date timestamp = delivery.properties().getTimestamp();
		putText(entry, "timestamp", (timestamp != null) ? timestamp.toInstant().toString() : null);
		entry.set("headers", AmqpValues.table(delivery.headers()));
		return entry;
	}

	private static void putText(ObjectNode entry, String name, @Nullable String value) {
		if (value != null) {
			entry.put(name, value);
		}
		else {
			entry.putNull(name);
		}
	}

	/**
	 * Give an answered message its receipt, for its client to acknowledge it with.
	 * @param delivery one of the answered deliveries
	 * @param receipt its receipt
	 */
	void receipt(Delivery delivery, String receipt) {
		ObjectNode entry = this.entriesOf.get(delivery);
		if (entry != null) {
			entry.put("receipt", receipt);
		}
	}

	/**
	 * Say when the leases of the answer expire.
	 * @param expires the earliest expiry of its leases
	 */
	void leaseExpiresAt(Instant expires) {
		this.root.put("lease_expires_at", expires.toString());
	}

	/** Whether the envelope lists anything, answered or settled. */
	boolean isEmpty() {
		return this.entries == 0;
	}

	/** The deliveries the envelope answers, to acknowledge once it is written. */
	List<Delivery> written() {
		return this.written;
	}

	byte[] toBytes(JsonMapper mapper) {
		return mapper.writeValueAsBytes(this.root);
	}

	/**
	 * What one backend gave a request for several messages.
	 *
	 * @param backend the backend asked
	 * @param deliveries the messages taken, oldest first; empty when none came in time
	 * @param unavailable why the backend could not answer, if it could not
	 */
	record Batch(ConsumerBackend backend, List<Delivery> deliveries, @Nullable BackendUnavailableException unavailable) {
	}

}
