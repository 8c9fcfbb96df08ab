package dev.amqpgateway.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import dev.amqpgateway.broker.BackendUnavailableException;
import dev.amqpgateway.consume.ConsumerBackend;
import dev.amqpgateway.consume.Delivery;
import dev.amqpgateway.consume.Lease;
import dev.amqpgateway.consume.LeaseBook;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Streams a consumer endpoint's messages as server-sent events ({@code Accept: text/event-stream}):
 * one event per message, {@code data} the envelope entry, and in lease mode {@code id} its receipt;
 * a comment every 15 seconds without a message. Each backend has at most its prefetch of messages
 * unsettled in the stream at a time. With {@code ack_mode: on_write} each message is acknowledged
 * once its event's bytes were written to the connection, and requeued when that write fails or the
 * client leaves first; in lease mode a message waits for its receipt (or its lease's expiry), and
 * one whose event was never written is requeued at once. A stream never replays: a client's
 * {@code Last-Event-ID} is ignored.
 */
final class EventStream {

	static final Duration HEARTBEAT = Duration.ofSeconds(15);

	private static final byte[] HEARTBEAT_EVENT = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

	private static final byte[] UNAVAILABLE_EVENT = ": backend unavailable\n\n".getBytes(StandardCharsets.UTF_8);

	private final String path;

	private final List<ConsumerBackend> backends;

	private final List<Integer> credits;

	private final MessageDecoder decoder;

	private final JsonMapper mapper;

	private final @Nullable Receipts receipts;

	private final Duration leaseTimeout;

	private final BiFunction<ConsumerBackend, Delivery, BiFunction<Delivery, String, String>> undecodable;

	EventStream(String path, List<ConsumerBackend> backends, List<Integer> credits, MessageDecoder decoder,
			JsonMapper mapper, @Nullable Receipts receipts, Duration leaseTimeout,
			BiFunction<ConsumerBackend, Delivery, BiFunction<Delivery, String, String>> undecodable) {
		this.path = path;
		this.backends = backends;
		this.credits = credits;
		this.decoder = decoder;
		this.mapper = mapper;
		this.receipts = receipts;
		this.leaseTimeout = leaseTimeout;
		this.undecodable = undecodable;
	}

	Mono<Void> write(ServerWebExchange exchange) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.OK);
		response.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
		response.getHeaders().setCacheControl("no-store");
		Channel channel = BodyWriter.channelOf(response);
		Queue<Consumer<Boolean>> parts = new ConcurrentLinkedQueue<>();
		ChannelFutureListener closed = (future) -> fail(parts);
		if (channel != null) {
			channel.attr(WriteCompletion.PART_LISTENERS).set(parts);
			channel.closeFuture().addListener(closed);
		}
		DataBufferFactory buffers = response.bufferFactory();
		List<Flux<DataBuffer>> streams = new ArrayList<>();
		for (int i = 0; i < this.backends.size(); i++) {
			streams.add(events(this.backends.get(i), new Credit(this.credits.get(i)), parts, buffers));
		}
		// One flux, not one publisher per event: Reactor Netty then writes the events that are ready
		// together and flushes them with one system call, and each event is still told apart by its
		// own write (WriteCompletion).
		return response.writeWith(Flux.merge(streams)).doFinally((signal) -> {
			if (channel != null) {
				channel.attr(WriteCompletion.PART_LISTENERS).compareAndSet(parts, null);
				channel.closeFuture().removeListener(closed);
			}
			fail(parts);
		});
	}

	// Parts handed over but never written: their messages go back.
	private static void fail(Queue<Consumer<Boolean>> parts) {
		Consumer<Boolean> listener;
		while ((listener = parts.poll()) != null) {
			listener.accept(false);
		}
	}

	private Flux<DataBuffer> events(ConsumerBackend backend, Credit credit, Queue<Consumer<Boolean>> parts,
			DataBufferFactory buffers) {
		return Mono.defer(() -> credit.available().then(next(backend, credit, parts, buffers))).repeat();
	}

	private Mono<DataBuffer> next(ConsumerBackend backend, Credit credit, Queue<Consumer<Boolean>> parts,
			DataBufferFactory buffers) {
		Lease lease = new Lease();
		return backend.receive(lease, HEARTBEAT)
			.map((delivery) -> event(backend, lease, delivery, credit, parts, buffers))
			.switchIfEmpty(Mono.fromSupplier(() -> comment(HEARTBEAT_EVENT, parts, buffers)))
			.onErrorResume(BackendUnavailableException.class,
					(ex) -> Mono.delay(Duration.ofSeconds(1)).then(Mono.fromSupplier(() -> comment(UNAVAILABLE_EVENT, parts, buffers))))
			.doOnCancel(lease::release);
	}

	private DataBuffer event(ConsumerBackend backend, Lease lease, Delivery delivery, Credit credit,
			Queue<Consumer<Boolean>> parts, DataBufferFactory buffers) {
		Envelope.Entry entry = Envelope.entry(backend, delivery, this.decoder, this.undecodable.apply(backend, delivery));
		StringBuilder event = new StringBuilder();
		if (!entry.decoded()) {
			lease.release();
			parts.add((written) -> {
			});
		}
		else if (this.receipts != null) {
			credit.taken();
			LeaseBook.Leased leased = backend.lease(delivery, this.leaseTimeout, credit::returned);
			lease.keep(List.of(delivery));
			String receipt = this.receipts.issue(this.path, backend.index(), leased.key());
			entry.json().put("receipt", receipt);
			entry.json().put("lease_expires_at", leased.expires().toString());
			event.append("id: ").append(receipt).append('\n');
			parts.add((written) -> {
				if (written) {
					backend.metrics().delivered();
				}
				else {
					backend.leases().settle(leased.key(), LeaseBook.Settlement.REQUEUE);
				}
			});
		}
		else {
			credit.taken();
			parts.add((written) -> {
				credit.returned();
				if (written) {
					backend.metrics().delivered();
					lease.complete(List.of(delivery));
				}
				else {
					lease.release();
				}
			});
		}
		event.append("data: ");
		// In UTF-8 from the start: a body copied into the entry as it came stays bytes throughout.
		byte[] head = event.toString().getBytes(StandardCharsets.UTF_8);
		byte[] data = this.mapper.writeValueAsBytes(entry.json());
		byte[] bytes = Arrays.copyOf(head, head.length + data.length + 2);
		System.arraycopy(data, 0, bytes, head.length, data.length);
		bytes[bytes.length - 2] = '\n';
		bytes[bytes.length - 1] = '\n';
		return buffers.wrap(bytes);
	}

	private static DataBuffer comment(byte[] comment, Queue<Consumer<Boolean>> parts, DataBufferFactory buffers) {
		parts.add((written) -> {
		});
		return buffers.wrap(comment);
	}

	/**
	 * The messages of one backend a stream may have unsettled: written but not yet on the wire
	 * (on_write), or leased and not yet settled (lease). A stream that has them all out waits to be
	 * told that one was settled.
	 */
	private static final class Credit {

		private final int capacity;

		private final AtomicInteger out = new AtomicInteger();

		private final AtomicReference<@Nullable MonoSink<Void>> waiting = new AtomicReference<>();

		Credit(int capacity) {
			this.capacity = Math.max(1, capacity);
		}

		Mono<Void> available() {
			return Mono.create((sink) -> {
				if (this.out.get() < this.capacity) {
					sink.success();
					return;
				}
				this.waiting.set(sink);
				sink.onDispose(() -> this.waiting.compareAndSet(sink, null));
				// settled between the look and the wait: nobody else will tell
				if (this.out.get() < this.capacity && this.waiting.compareAndSet(sink, null)) {
					sink.success();
				}
			});
		}

		void taken() {
			this.out.incrementAndGet();
		}

		void returned() {
			this.out.decrementAndGet();
			MonoSink<Void> sink = this.waiting.getAndSet(null);
			if (sink != null) {
				sink.success();
			}
		}

	}

}
