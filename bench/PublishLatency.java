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

/**
 * Publish latency: paced {@code POST}s of 1 KiB JSON objects to a producer endpoint from a number of
 * keep-alive connections, together at a fixed rate, each connection sending its next request at its
 * own schedule. A request's latency runs from its scheduled send to the last byte of its answer, so
 * that a slow answer also counts against the requests it held up (wrk2's correction for
 * coordinated omission); its service time runs from its actual send. Requests scheduled in the
 * warm-up are sent but not measured.
 *
 * <p>Usage: {@code PublishLatency <host> <port> <path> [connections] [rate/s] [seconds] [warm-up seconds]}.
 * Prints the counts ({@code sent}, {@code ok} for 200 answers, {@code failed} for any other answer
 * or a broken connection), then {@code latency_ms} and {@code service_ms} percentiles.
 */
public final class PublishLatency {

	private final long[] latencies = new long[1 << 21];

	private final long[] services = new long[1 << 21];

	private final AtomicLong recorded = new AtomicLong();

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong ok = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private PublishLatency() {
	}

	public static void main(String[] args) throws Exception {
		InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
		String path = args[2];
		int connections = (args.length > 3) ? Integer.parseInt(args[3]) : 8;
		int rate = (args.length > 4) ? Integer.parseInt(args[4]) : 1000;
		int seconds = (args.length > 5) ? Integer.parseInt(args[5]) : 12;
		int warmUp = (args.length > 6) ? Integer.parseInt(args[6]) : 2;
		new PublishLatency().run(address, path, connections, rate, seconds, warmUp);
	}

	private void run(InetSocketAddress address, String path, int connections, int rate, int seconds, int warmUp)
			throws InterruptedException {
		long gap = TimeUnit.SECONDS.toNanos(1) / rate;
		// Let every connection open before the first scheduled send.
		long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
		long measureFrom = start + TimeUnit.SECONDS.toNanos(warmUp);
		long end = start + TimeUnit.SECONDS.toNanos(seconds);
		Thread[] clients = new Thread[connections];
		for (int i = 0; i < connections; i++) {
			long first = start + i * gap;
			clients[i] = new Thread(() -> send(address, path, first, gap * connections, end, measureFrom),
					"client-" + i);
			clients[i].start();
		}
		for (Thread client : clients) {
			client.join();
		}
		report(seconds - warmUp);
	}

	private void send(InetSocketAddress address, String path, long first, long interval, long end, long measureFrom) {
		byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + address.getHostString()
				+ "\r\nContent-Type: application/json\r\nContent-Length: " + BenchQueue.BODY_SIZE + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		byte[] request = Arrays.copyOf(head, head.length + BenchQueue.BODY_SIZE);
		long scheduled = first;
		long n = 0;
		while (scheduled < end) {
			try (Socket socket = new Socket()) {
				socket.setTcpNoDelay(true);
				socket.connect(address, 5000);
				OutputStream out = socket.getOutputStream();
				InputStream in = new BufferedInputStream(socket.getInputStream());
				while (scheduled < end) {
					long now = System.nanoTime();
					if (now < scheduled) {
						LockSupport.parkNanos(scheduled - now);
						continue;
					}
					byte[] body = BenchQueue.body("\"n\":" + n++);
					System.arraycopy(body, 0, request, head.length, body.length);
					long sentAt = System.nanoTime();
					out.write(request);
					out.flush();
					this.sent.incrementAndGet();
					Latency.Response response = Latency.Response.read(in);
					long answered = System.nanoTime();
					if (response.status() != 200) {
						// An error body may be chunked: start again on a fresh connection.
						this.failed.incrementAndGet();
						scheduled += interval;
						break;
					}
					this.ok.incrementAndGet();
					if (scheduled >= measureFrom) {
						int at = (int) this.recorded.getAndIncrement();
						this.latencies[at] = answered - scheduled;
						this.services[at] = answered - sentAt;
					}
					scheduled += interval;
				}
			}
			catch (IOException ex) {
				this.failed.incrementAndGet();
				scheduled += interval;
			}
		}
	}

	private void report(int seconds) {
		int n = (int) this.recorded.get();
		System.out.printf("sent=%d ok=%d failed=%d measured=%d over=%ds%n", this.sent.get(), this.ok.get(),
				this.failed.get(), n, seconds);
		if (n == 0) {
			return;
		}
		print("latency_ms", Arrays.copyOf(this.latencies, n));
		print("service_ms", Arrays.copyOf(this.services, n));
	}

	private static void print(String name, long[] values) {
		Arrays.sort(values);
		System.out.printf("%s p50=%.2f p90=%.2f p99=%.2f p999=%.2f max=%.2f%n", name, ms(values, 0.50),
				ms(values, 0.90), ms(values, 0.99), ms(values, 0.999), values[values.length - 1] / 1e6);
	}

	private static double ms(long[] sorted, double quantile) {
		int index = (int) Math.ceil(quantile * sorted.length) - 1;
		return sorted[Math.max(0, index)] / 1e6;
	}

}
