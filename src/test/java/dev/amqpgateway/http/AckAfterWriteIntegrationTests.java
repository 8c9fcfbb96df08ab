package dev.amqpgateway.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import dev.amqpgateway.support.GatewayEndpoints;
import dev.amqpgateway.support.LargeMessages;
import dev.amqpgateway.support.TestBroker;
import dev.amqpgateway.support.TestBroker.QueueDepth;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.amqpgateway.support.GatewayEndpoints.consumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message is acknowledged only after every byte of the response carrying it was written to the
 * client's connection, also when the body is far larger than the socket buffers: real sockets, a
 * 16 MiB message, and clients that read nothing, read slowly, or leave mid-body. Each test watches
 * the broker's own counts while the client holds the response back, so the order of "written" and
 * "acknowledged" is observed rather than inferred.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class AckAfterWriteIntegrationTests {

	static final int BODY_SIZE = 16 * 1024 * 1024;

	/** The client's receive buffer: small, so that the kernel holds little of the body for it. */
	static final int CLIENT_RECEIVE_BUFFER = 4096;

	static final String EXCHANGE = GatewayEndpoints.unique("ack-after-write-x");

	static final String RESET = GatewayEndpoints.unique("reset-mid-body");

	static final String SLOW = GatewayEndpoints.unique("slow-reader");

	static final String PAIR_BIG = GatewayEndpoints.unique("pair-big");

	static final String PAIR_LATE = GatewayEndpoints.unique("pair-late");

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		new GatewayEndpoints().endpoint("/reset", consumer(RESET, EXCHANGE, "amqp.consumer.routing_key[0]", RESET))
			.timeout("30s")
			.endpoint("/slow", consumer(SLOW, EXCHANGE, "amqp.consumer.routing_key[0]", SLOW))
			.timeout("30s")
			.endpoint("/pair", consumer(PAIR_BIG, EXCHANGE, "amqp.consumer.routing_key[0]", PAIR_BIG),
					consumer(PAIR_LATE, EXCHANGE, "amqp.consumer.routing_key[0]", PAIR_LATE))
			.timeout("1s")
			.addTo(registry);
		// Consumers stay subscribed once a request came, so that a message may arrive while no request
		// waits for it (the late sibling below).
		registry.add("gateway.release_after", () -> "1h");
	}

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	@Test
	void aClientThatResetsMidBodyGetsTheMessageBackInTheQueue() throws Exception {
		byte[] body = bigJsonObject('r');
		LargeMessages.publish(EXCHANGE, RESET, body);
		try (Socket client = request("/reset")) {
			// Taken by the request, and its response begun: the write is under way.
			await().until(() -> TestBroker.depth(RESET).ready() == 0);
			await().until(() -> client.getInputStream().available() > 0);
			reset(client);
		}
		// Requeued; the broker hands it straight back to the gateway's consumer, which holds it for
		// the next request: still one message on the queue, and never acknowledged.
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(counter("gateway.messages.requeued", "/reset")).isEqualTo(1));
		assertThat(counter("gateway.messages.acked", "/reset")).isZero();
		assertThat(TestBroker.depth(RESET).total()).isEqualTo(1);
		HttpResponse<byte[]> next = get("/reset");
		assertThat(next.statusCode()).isEqualTo(200);
		assertThat(Arrays.equals(next.body(), body)).as("the same message, byte for byte").isTrue();
		await().untilAsserted(() -> assertThat(TestBroker.depth(RESET).total()).isZero());
	}

	@Test
	void aSlowReaderHasItsMessageAcknowledgedOnlyOnceTheKernelHoldsTheRest() throws Exception {
		byte[] body = bigJsonObject('s');
		LargeMessages.publish(EXCHANGE, SLOW, body);
		// Whatever the kernel can hold for this connection (the server's send buffer at its largest,
		// the client's receive buffer) may count as written before the client reads it; anything more
		// is still in the gateway, and its message must still be unacknowledged.
		int unreadAtCheck = 2 * kernelSendBufferMax() + 1024 * 1024;
		try (Socket client = request("/slow")) {
			InputStream in = client.getInputStream();
			int headerLength = readHeaders(in).length;
			readFully(in, BODY_SIZE - unreadAtCheck);
			assertThat(TestBroker.depth(SLOW)).as("with %d bytes unread", unreadAtCheck)
				.isEqualTo(new QueueDepth(0, 1));
			assertThat(headerLength).isPositive();
			readFully(in, unreadAtCheck);
		}
		await().untilAsserted(() -> assertThat(TestBroker.depth(SLOW).total()).isZero());
		await().untilAsserted(() -> assertThat(counter("gateway.messages.acked", "/slow")).isEqualTo(1));
	}

	@Test
	void aMessageThatArrivesAfterItsBackendTimedOutIsNeitherLostNorAcknowledged() throws Exception {
		byte[] big = bigJsonObject('p');
		LargeMessages.publish(EXCHANGE, PAIR_BIG, big);
		try (Socket client = request("/pair")) {
			// The big backend answered at once; the other one answers late, after the request has
			// stopped waiting for it and while the response is still being written.
			await().until(() -> client.getInputStream().available() > 0);
			TestBroker.publish(EXCHANGE, PAIR_LATE, "{\"late\": true}");
			await().untilAsserted(() -> assertThat(TestBroker.depth(PAIR_LATE).ready()).isZero());
			reset(client);
		}
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(counter("gateway.messages.requeued", "/pair")).isEqualTo(1));
		assertThat(counter("gateway.messages.acked", "/pair")).isZero();
		assertThat(TestBroker.depth(PAIR_BIG).total()).isEqualTo(1);
		assertThat(TestBroker.depth(PAIR_LATE).total()).isEqualTo(1);
		HttpResponse<byte[]> next = get("/pair");
		assertThat(next.statusCode()).isEqualTo(200);
		assertThat(next.headers().firstValue("X-Gateway-Completed")).hasValue("true");
		String answer = new String(next.body(), StandardCharsets.UTF_8);
		assertThat(answer).contains("\"late\":true").hasSizeGreaterThan(BODY_SIZE);
		await().untilAsserted(() -> assertThat(TestBroker.depth(PAIR_BIG).total()).isZero());
		await().untilAsserted(() -> assertThat(TestBroker.depth(PAIR_LATE).total()).isZero());
	}

	private Socket request(String path) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER);
		socket.connect(new InetSocketAddress("127.0.0.1", this.port));
		socket.getOutputStream()
			.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		socket.getOutputStream().flush();
		return socket;
	}

	/** Close with a reset (RST), as a client that crashes or is killed does. */
	private static void reset(Socket client) throws IOException {
		client.setSoLinger(true, 0);
		client.close();
	}

	private HttpResponse<byte[]> get(String path) throws Exception {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(60))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private static byte[] readHeaders(InputStream in) throws IOException {
		ByteArrayOutputStream headers = new ByteArrayOutputStream();
		int matched = 0;
		byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
		while (matched < end.length) {
			int next = in.read();
			assertThat(next).as("end of the response headers").isNotNegative();
			headers.write(next);
			matched = (next == end[matched]) ? matched + 1 : ((next == end[0]) ? 1 : 0);
		}
		assertThat(headers.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200")
			.containsIgnoringCase("content-length: " + BODY_SIZE);
		return headers.toByteArray();
	}

	private static void readFully(InputStream in, int length) throws IOException {
		byte[] chunk = new byte[64 * 1024];
		int remaining = length;
		while (remaining > 0) {
			int read = in.read(chunk, 0, Math.min(chunk.length, remaining));
			assertThat(read).as("bytes of the body").isPositive();
			remaining -= read;
		}
	}

	private static int kernelSendBufferMax() throws IOException {
		// A /proc file reports no size: read it as a stream.
		String[] wmem = new String(Files.newInputStream(Path.of("/proc/sys/net/ipv4/tcp_wmem")).readAllBytes(),
				StandardCharsets.US_ASCII).trim().split("\\s+");
		return Integer.parseInt(wmem[2]);
	}

	/** A JSON object of exactly {@link #BODY_SIZE} bytes. */
	private static byte[] bigJsonObject(char filler) {
		return LargeMessages.jsonObject(BODY_SIZE, filler);
	}

	private double counter(String name, String endpoint) {
		return this.meters.get(name).tag("endpoint", endpoint).counters().stream().mapToDouble((c) -> c.count()).sum();
	}

}
