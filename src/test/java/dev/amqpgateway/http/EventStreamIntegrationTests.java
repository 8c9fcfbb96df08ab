package dev.amqpgateway.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.amqpgateway.support.EnvelopeSchema;
import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.LargeMessages;
import dev.amqpgateway.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Server-sent event streams, read by a client on a plain socket that can stop reading and leave
 * when it likes: what is acknowledged is what the client's connection took, event by event.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class EventStreamIntegrationTests {

	static final String EXCHANGE = GatewayEndpoints.unique("stream-x");

	static final String SMALL = GatewayEndpoints.unique("stream-small");

	static final String LARGE = GatewayEndpoints.unique("stream-large");

	static final String LEASED = GatewayEndpoints.unique("stream-leased");

	static final String NARROW = GatewayEndpoints.unique("stream-narrow");

	/** Larger than the kernel's socket buffers on both sides together: an event is written only as it is read. */
	static final int LARGE_SIZE = 12 * 1024 * 1024;

	static final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient client;

	@AfterAll
	static void cleanUp() {
		TestBroker.delete(List.of(SMALL, LARGE, LEASED, NARROW), EXCHANGE);
	}

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints().endpoint("/small", consumer(SMALL, EXCHANGE, "amqp.consumer.routing_key[0]", SMALL))
			.endpoint("/large", consumer(LARGE, EXCHANGE, "amqp.consumer.routing_key[0]", LARGE,
					"amqp.consumer.prefetch_count", "2"))
			.endpoint("/leased", consumer(LEASED, EXCHANGE, "amqp.consumer.routing_key[0]", LEASED))
			.endpoint("/narrow", consumer(NARROW, EXCHANGE, "amqp.consumer.routing_key[0]", NARROW,
					"amqp.consumer.prefetch_count", "10"))
			.addTo(registry);
		registry.add("gateway.endpoints[2].ack_mode", () -> "lease");
		registry.add("gateway.endpoints[3].ack_mode", () -> "lease");
		registry.add("gateway.lease.secret", () -> "a-test-secret-of-at-least-32-characters");
		registry.add("gateway.max_message_size", () -> "64MB");
	}

	@Test
	void everyStreamedEventIsAcknowledgedOnceWritten() throws Exception {
		for (int i = 0; i < 5; i++) {
			TestBroker.publish(EXCHANGE, SMALL, "{\"n\":" + i + "}");
		}
		try (StreamClient stream = new StreamClient(this.port, "/small", 64 * 1024)) {
			for (int i = 0; i < 5; i++) {
				JsonNode data = mapper.readTree(stream.nextData());
				EnvelopeSchema.assertMessage(data);
				assertThat(data.get("body").get("n").asInt()).isEqualTo(i);
				assertThat(data.get("queue").asString()).isEqualTo(SMALL);
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(SMALL).total() == 0);
		}
	}

	@Test
	void aClientThatLeavesAfterKEventsHasExactlyThoseKAcknowledged() throws Exception {
		for (int i = 0; i < 5; i++) {
			LargeMessages.publish(EXCHANGE, LARGE, LargeMessages.jsonObject(LARGE_SIZE, (char) ('a' + i)));
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(LARGE).ready() == 5);
		try (StreamClient stream = new StreamClient(this.port, "/large", 4096)) {
			stream.nextData();
			stream.nextData();
			stream.reset();
		}
		// the two read were acknowledged; the third, cut off mid-write, and the rest went back
		await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(LARGE), (depth) -> depth.total() == 3);
	}

	@Test
	void aLeaseStreamAcknowledgesNothingUntilTheClientDoes() throws Exception {
		for (int i = 0; i < 3; i++) {
			TestBroker.publish(EXCHANGE, LEASED, "{\"n\":" + i + "}");
		}
		List<String> receipts = new ArrayList<>();
		try (StreamClient stream = new StreamClient(this.port, "/leased", 64 * 1024)) {
			for (int i = 0; i < 3; i++) {
				String event = stream.nextEvent();
				String id = event.lines().filter((line) -> line.startsWith("id: ")).findFirst().orElseThrow().substring(4);
				JsonNode data = mapper.readTree(event.lines().filter((line) -> line.startsWith("data: ")).findFirst()
					.orElseThrow().substring(6));
				EnvelopeSchema.assertMessage(data);
				assertThat(data.get("receipt").asString()).isEqualTo(id);
				receipts.add(id);
			}
			stream.reset();
		}
		// the client left: its leases stand until it acknowledges or they expire
		assertThat(TestBroker.depth(LEASED).unacknowledged()).isEqualTo(3);
		this.client.post().uri("/leased/ack").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"receipts\": [\"" + String.join("\", \"", receipts) + "\"]}")
			.exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.receipts[*].outcome").isEqualTo(List.of("acked", "acked", "acked"));
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(LEASED).total() == 0);
	}

	@Test
	void aStreamThatEndsWhileWaitingForCreditHoldsNoMessageBack() throws Exception {
		for (int i = 0; i < 30; i++) {
			TestBroker.publish(EXCHANGE, NARROW, "{\"n\":" + i + "}");
		}
		List<String> receipts = new ArrayList<>();
		try (StreamClient stream = new StreamClient(this.port, "/narrow", 64 * 1024)) {
			// the endpoint's prefetch, 10, is the stream's credit: after ten events it waits
			for (int i = 0; i < 10; i++) {
				receipts.add(receiptOf(stream.nextMessageEvent()));
			}
			// while the gateway's consumer holds more than the stream may take
			await().atMost(Duration.ofSeconds(20)).until(() -> TestBroker.depth(NARROW).unacknowledged() >= 13);
			// one settled: the stream takes one more and waits again, with messages buffered
			acknowledge("/narrow", receipts.subList(0, 1));
			String eleventh = stream.nextMessageEvent();
			assertThat(mapper.readTree(dataOf(eleventh)).get("body").get("n").asInt()).isEqualTo(10);
			receipts.set(0, receiptOf(eleventh));
			stream.reset();
		}
		acknowledge("/narrow", receipts);
		// every message the first stream did not carry comes out of the next one, in the queue's order
		List<Integer> numbers = new ArrayList<>();
		receipts.clear();
		try (StreamClient stream = new StreamClient(this.port, "/narrow", 64 * 1024)) {
			for (int i = 11; i < 30; i++) {
				String event = stream.nextMessageEvent();
				receipts.add(receiptOf(event));
				numbers.add(mapper.readTree(dataOf(event)).get("body").get("n").asInt());
				if (receipts.size() == 10) {
					acknowledge("/narrow", receipts);
					receipts.clear();
				}
			}
			stream.reset();
		}
		assertThat(numbers).containsExactlyElementsOf(java.util.stream.IntStream.range(11, 30).boxed().toList());
		acknowledge("/narrow", receipts);
		await().atMost(Duration.ofSeconds(10)).until(() -> TestBroker.depth(NARROW).total() == 0);
	}

	private void acknowledge(String path, List<String> receipts) {
		this.client.post().uri(path + "/ack").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"receipts\": [\"" + String.join("\", \"", receipts) + "\"]}")
			.exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.receipts[*].outcome").value((outcomes) -> assertThat(outcomes)
				.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).containsOnly("acked"));
	}

	private static String receiptOf(String event) {
		return event.lines().filter((line) -> line.startsWith("id: ")).findFirst().orElseThrow().substring(4);
	}

	private static String dataOf(String event) {
		return event.lines().filter((line) -> line.startsWith("data: ")).findFirst().orElseThrow().substring(6);
	}

	/**
	 * An event-stream client on a plain socket: it reads the chunked body event by event, and only
	 * as far as asked.
	 */
	static final class StreamClient implements AutoCloseable {

		private final Socket socket;

		private final InputStream in;

		private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

		StreamClient(int port, String path, int receiveBuffer) throws IOException {
			this.socket = new Socket();
			this.socket.setReceiveBufferSize(receiveBuffer);
			this.socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
			this.socket.setSoTimeout(20_000);
			OutputStream out = this.socket.getOutputStream();
			out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			this.in = this.socket.getInputStream();
			String headers = readLine();
			assertThat(headers).startsWith("HTTP/1.1 200");
			while (!readLine().isEmpty()) {
				// the rest of the headers
			}
		}

		/** The next event that carries a message, skipping comments. */
		String nextData() throws IOException {
			String event;
			do {
				event = nextEvent();
			}
			while (event.lines().noneMatch((line) -> line.startsWith("data: ")));
			return event.lines().filter((line) -> line.startsWith("data: ")).findFirst().orElseThrow().substring(6);
		}

		/** The next event that carries a message, whole. */
		String nextMessageEvent() throws IOException {
			String event;
			do {
				event = nextEvent();
			}
			while (event.lines().noneMatch((line) -> line.startsWith("data: ")));
			return event;
		}

		String nextEvent() throws IOException {
			while (true) {
				String text = this.pending.toString(StandardCharsets.UTF_8);
				int end = text.indexOf("\n\n");
				if (end != -1) {
					byte[] rest = text.substring(end + 2).getBytes(StandardCharsets.UTF_8);
					this.pending.reset();
					this.pending.write(rest);
					return text.substring(0, end);
				}
				readChunk();
			}
		}

		private void readChunk() throws IOException {
			int size = Integer.parseInt(readLine().trim(), 16);
			byte[] chunk = this.in.readNBytes(size);
			this.pending.write(chunk);
			readLine();
		}

		private String readLine() throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			int b;
			while ((b = this.in.read()) != -1 && b != '\n') {
				if (b != '\r') {
					line.write(b);
				}
			}
			return line.toString(StandardCharsets.US_ASCII);
		}

		/** Leave at once, as a client that crashed: the connection is reset. */
		void reset() throws IOException {
			this.socket.setSoLinger(true, 0);
			this.socket.close();
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
