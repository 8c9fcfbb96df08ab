import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * Publish-to-response latency: a number of keep-alive HTTP requests always wait on the endpoint
 * while one publisher sends timestamped 1 KiB JSON messages at a fixed rate; each response's
 * latency is the time from the publish of the message it carries to the response's last byte.
 *
 * <p>Usage: {@code Latency <amqp-uri> <queue> <host> <port> <path> [waiters] [rate/s] [seconds] [warm-up seconds]}.
 */
public final class Latency {

	private static final int BODY_SIZE = 1024;

	private static final AMQP.BasicProperties PROPERTIES = new AMQP.BasicProperties.Builder()
		.contentType("application/json")
		.deliveryMode(1)
		.build();

	private final long[] latencies = new long[1 << 21];

	private final AtomicLong recorded = new AtomicLong();

	private final AtomicLong received = new AtomicLong();

	private final AtomicLong empty = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong stale = new AtomicLong();

	private volatile long measureFrom;

	private volatile boolean stopped;

	private Latency() {
	}

	public static void main(String[] args) throws Exception {
		String uri = args[0];
		String queue = args[1];
		InetSocketAddress address = new InetSocketAddress(args[2], Integer.parseInt(args[3]));
		String path = args[4];
		int waiters = (args.length > 5) ? Integer.parseInt(args[5]) : 8;
		int rate = (args.length > 6) ? Integer.parseInt(args[6]) : 1000;
		int seconds = (args.length > 7) ? Integer.parseInt(args[7]) : 12;
		int warmUp = (args.length > 8) ? Integer.parseInt(args[8]) : 2;
		new Latency().run(uri, queue, address, path, waiters, rate, seconds, warmUp);
	}

	private void run(String uri, String queue, InetSocketAddress address, String path, int waiters, int rate,
			int seconds, int warmUp) throws Exception {
		Thread[] clients = new Thread[waiters];
		for (int i = 0; i < waiters; i++) {
			clients[i] = new Thread(() -> poll(address, path), "waiter-" + i);
			clients[i].setDaemon(true);
			clients[i].start();
		}
		// Let every request reach the gateway and wait there before the first publish.
		Thread.sleep(500);
		ConnectionFactory factory = new ConnectionFactory();
		factory.setUri(uri);
		long published = 0;
		try (Connection connection = factory.newConnection("amqp-gateway bench latency");
				Channel channel = connection.createChannel()) {
			long interval = TimeUnit.SECONDS.toNanos(1) / rate;
			long start = System.nanoTime();
			this.measureFrom = start + TimeUnit.SECONDS.toNanos(warmUp);
			long end = start + TimeUnit.SECONDS.toNanos(seconds);
			long next = start;
			while (next < end) {
				long now = System.nanoTime();
				if (now < next) {
					LockSupport.parkNanos(next - now);
					continue;
				}
				channel.basicPublish("", queue, PROPERTIES, body(System.nanoTime()));
				published++;
				next += interval;
			}
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (this.received.get() - this.stale.get() < published && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		this.stopped = true;
		report(published, seconds - warmUp);
	}

	private void poll(InetSocketAddress address, String path) {
		byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		while (!this.stopped) {
			try (Socket socket = new Socket()) {
				socket.setTcpNoDelay(true);
				socket.connect(address, 5000);
				OutputStream out = socket.getOutputStream();
				InputStream in = new BufferedInputStream(socket.getInputStream());
				while (!this.stopped) {
					out.write(request);
					out.flush();
					Response response = Response.read(in);
					long now = System.nanoTime();
					if (response.status() == 200) {
						this.received.incrementAndGet();
						long published = timestamp(response.body());
						if (published < 0) {
							this.stale.incrementAndGet();
						}
						else if (published >= this.measureFrom) {
							this.latencies[(int) this.recorded.getAndIncrement()] = now - published;
						}
					}
					else if (response.status() == 204) {
						this.empty.incrementAndGet();
					}
					else {
						// An error body may be chunked: start again on a fresh connection.
						this.failed.incrementAndGet();
						break;
					}
				}
			}
			catch (IOException ex) {
				if (!this.stopped) {
					this.failed.incrementAndGet();
				}
			}
		}
	}

	private void report(long published, int seconds) {
		int n = (int) this.recorded.get();
		long[] sorted = Arrays.copyOf(this.latencies, n);
		Arrays.sort(sorted);
		System.out.printf("published=%d received=%d stale=%d empty=%d failed=%d measured=%d over=%ds%n", published,
				this.received.get() - this.stale.get(), this.stale.get(), this.empty.get(), this.failed.get(), n,
				seconds);
		if (n == 0) {
			return;
		}
		System.out.printf("latency_ms p50=%.2f p90=%.2f p99=%.2f p999=%.2f max=%.2f%n", ms(sorted, 0.50),
				ms(sorted, 0.90), ms(sorted, 0.99), ms(sorted, 0.999), sorted[n - 1] / 1e6);
	}

	private static double ms(long[] sorted, double quantile) {
		int index = (int) Math.ceil(quantile * sorted.length) - 1;
		return sorted[Math.max(0, index)] / 1e6;
	}

	/** A JSON object carrying the publish time, padded to 1 KiB like the drain's messages. */
	private static byte[] body(long nanos) {
		String head = "{\"t\":" + nanos + ",\"pad\":\"";
		char[] pad = new char[BODY_SIZE - head.length() - 2];
		Arrays.fill(pad, 'x');
		return (head + new String(pad) + "\"}").getBytes(StandardCharsets.US_ASCII);
	}

	private static long timestamp(byte[] json) {
		String text = new String(json, 0, Math.min(json.length, 200), StandardCharsets.US_ASCII);
		int at = text.indexOf("\"t\":");
		if (at < 0) {
			// A message left over from before this test, not one of its publishes.
			return -1;
		}
		int from = at + 4;
		int to = from;
		while (to < text.length() && (Character.isDigit(text.charAt(to)) || text.charAt(to) == '-')) {
			to++;
		}
		return Long.parseLong(text.substring(from, to));
	}

	/** The parts of an HTTP/1.1 response the bench reads. */
	record Response(int status, byte[] body) {

		static Response read(InputStream in) throws IOException {
			String statusLine = line(in);
			int status = Integer.parseInt(statusLine.substring(9, 12));
			int length = 0;
			String header;
			while (!(header = line(in)).isEmpty()) {
				int colon = header.indexOf(':');
				if (colon > 0 && header.substring(0, colon).equalsIgnoreCase("content-length")) {
					length = Integer.parseInt(header.substring(colon + 1).trim());
				}
			}
			return new Response(status, in.readNBytes(length));
		}

		private static String line(InputStream in) throws IOException {
			StringBuilder line = new StringBuilder();
			int c;
			while ((c = in.read()) != '\n') {
				if (c < 0) {
					throw new IOException("connection closed");
				}
				if (c != '\r') {
					line.append((char) c);
				}
			}
			return line.toString();
		}

	}

}
