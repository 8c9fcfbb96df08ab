import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Idle long polls: many concurrent {@code GET}s, one per connection, wait on an empty queue until
 * the endpoint's timeout; while they wait, the gateway's live threads and resident memory are
 * sampled from {@code /proc/<pid>/status}.
 *
 * <p>Usage: {@code IdlePolls <host> <port> <path> <gateway-pid> [connections] [expected timeout ms]}.
 */
public final class IdlePolls {

	private IdlePolls() {
	}

	public static void main(String[] args) throws Exception {
		InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
		String path = args[2];
		long pid = Long.parseLong(args[3]);
		int connections = (args.length > 4) ? Integer.parseInt(args[4]) : 2000;
		long timeoutMillis = (args.length > 5) ? Long.parseLong(args[5]) : 5000;

		byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		long[] elapsed = new long[connections];
		Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
		CountDownLatch sent = new CountDownLatch(connections);
		CountDownLatch done = new CountDownLatch(connections);
		CountDownLatch go = new CountDownLatch(1);
		for (int i = 0; i < connections; i++) {
			int index = i;
			Thread client = new Thread(null, () -> {
				String outcome;
				try (Socket socket = new Socket()) {
					go.await();
					socket.connect(address, 10_000);
					socket.setSoTimeout((int) (timeoutMillis * 3));
					OutputStream out = socket.getOutputStream();
					InputStream in = new BufferedInputStream(socket.getInputStream());
					long start = System.nanoTime();
					out.write(request);
					out.flush();
					sent.countDown();
					outcome = "status " + status(in);
					elapsed[index] = System.nanoTime() - start;
				}
				catch (IOException | RuntimeException ex) {
					outcome = ex.getClass().getSimpleName() + ": " + ex.getMessage();
					elapsed[index] = -1;
					sent.countDown();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				outcomes.computeIfAbsent(outcome, (key) -> new AtomicLong()).incrementAndGet();
				done.countDown();
			}, "poll-" + i, 128 * 1024);
			client.setDaemon(true);
			client.start();
		}
		long begin = System.nanoTime();
		go.countDown();
		sent.await(timeoutMillis, TimeUnit.MILLISECONDS);
		long allSent = System.nanoTime() - begin;
		int maxThreads = 0;
		long maxRssKb = 0;
		// Sample from when every request is in until shortly before the first timeouts fire.
		long sampleUntil = begin + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) - TimeUnit.MILLISECONDS.toNanos(500);
		int samples = 0;
		while (System.nanoTime() < sampleUntil) {
			Map<String, Long> status = procStatus(pid);
			maxThreads = Math.max(maxThreads, status.getOrDefault("Threads", 0L).intValue());
			maxRssKb = Math.max(maxRssKb, status.getOrDefault("VmRSS", 0L));
			samples++;
			Thread.sleep(250);
		}
		done.await(timeoutMillis * 4, TimeUnit.MILLISECONDS);

		long[] answered = Arrays.stream(elapsed).filter((value) -> value > 0).sorted().toArray();
		System.out.printf("connections=%d all_sent_ms=%d%n", connections, TimeUnit.NANOSECONDS.toMillis(allSent));
		new TreeMap<>(outcomes).forEach((outcome, count) -> System.out.printf("outcome %s: %d%n", outcome, count.get()));
		if (answered.length > 0) {
			System.out.printf("elapsed_ms min=%d p50=%d max=%d%n", answered[0] / 1_000_000,
					answered[answered.length / 2] / 1_000_000, answered[answered.length - 1] / 1_000_000);
		}
		System.out.printf("gateway_while_waiting threads_max=%d rss_max_mb=%d samples=%d%n", maxThreads,
				maxRssKb / 1024, samples);
	}

	private static int status(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int c;
		while ((c = in.read()) != '\n') {
			if (c < 0) {
				throw new IOException("connection closed before a response");
			}
			line.append((char) c);
		}
		return Integer.parseInt(line.substring(9, 12));
	}

	private static Map<String, Long> procStatus(long pid) throws IOException {
		Map<String, Long> values = new TreeMap<>();
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
			int colon = line.indexOf(':');
			String key = line.substring(0, colon);
			if (key.equals("Threads") || key.equals("VmRSS")) {
				values.put(key, Long.parseLong(line.substring(colon + 1).trim().split("\\s+")[0]));
			}
		}
		return values;
	}

}
