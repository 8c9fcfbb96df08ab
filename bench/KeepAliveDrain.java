import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keep-alive HTTP clients that drain a consumer endpoint until it answers only "no message": one
 * connection per target, each sending {@code GET}s one after the other on the same connection
 * (a client pinned to one instance, as keep-alive pins it behind a load balancer) until it has
 * seen the given number of consecutive 204s, or until all of them together have the given number
 * of messages.
 *
 * <p>Usage: {@code KeepAliveDrain <path> <consecutive-204s> <max-messages> <host:port>...}; one
 * connection per {@code host:port} argument (repeat a target for several connections to it).
 *
 * <p>Prints {@code received=} (200 answers), {@code distinct=} (distinct {@code "n"} members of
 * their JSON bodies), {@code empty=} (204 answers), {@code failed=} (other answers and broken
 * connections), {@code seconds=} (from the first request to the last 200), {@code rate=}
 * (received / seconds), {@code stalled=} (requests left unanswered for {@value #STALL_MS} ms, after
 * which the connection is closed and another opened: the bench endpoint answers within 5 s; the
 * gateway on Reactor Netty 1.3.6 sometimes stops reading a keep-alive connection) and
 * {@code per_target=} (received per connection, in argument order).
 */
public final class KeepAliveDrain {

	/** How long an answer may take before the client gives up on its connection. */
	static final int STALL_MS = 10_000;

	private static final Pattern NUMBER = Pattern.compile("\"n\":(\\d+)");

	private final String path;

	private final int emptyToStop;

	private final long maxMessages;

	private final AtomicLong received = new AtomicLong();

	private final AtomicLong empty = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong stalled = new AtomicLong();

	private final AtomicLong lastMessageNanos = new AtomicLong();

	private final Set<Long> numbers = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean done = new AtomicBoolean();

	private KeepAliveDrain(String path, int emptyToStop, long maxMessages) {
		this.path = path;
		this.emptyToStop = emptyToStop;
		this.maxMessages = maxMessages;
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 4) {
			System.err.println("usage: KeepAliveDrain <path> <consecutive-204s> <max-messages> <host:port>...");
			System.exit(2);
		}
		List<InetSocketAddress> targets = new ArrayList<>();
		for (int i = 3; i < args.length; i++) {
			int colon = args[i].lastIndexOf(':');
			targets.add(new InetSocketAddress(args[i].substring(0, colon), Integer.parseInt(args[i].substring(colon + 1))));
		}
		new KeepAliveDrain(args[0], Integer.parseInt(args[1]), Long.parseLong(args[2])).run(targets);
	}

	private void run(List<InetSocketAddress> targets) throws InterruptedException {
		long[] perTarget = new long[targets.size()];
		Thread[] clients = new Thread[targets.size()];
		long start = System.nanoTime();
		this.lastMessageNanos.set(start);
		for (int i = 0; i < clients.length; i++) {
			int index = i;
			clients[i] = new Thread(() -> perTarget[index] = drain(targets.get(index)), "client-" + i);
			clients[i].start();
		}
		for (Thread client : clients) {
			client.join();
		}
		double seconds = (this.lastMessageNanos.get() - start) / 1e9;
		StringBuilder split = new StringBuilder();
		for (long count : perTarget) {
			split.append((split.length() > 0) ? "," : "").append(count);
		}
		System.out.printf(
				"received=%d distinct=%d empty=%d failed=%d stalled=%d seconds=%.2f rate=%.0f per_target=%s%n",
				this.received.get(), this.numbers.size(), this.empty.get(), this.failed.get(), this.stalled.get(),
				seconds, (seconds > 0) ? this.received.get() / seconds : 0.0, split);
	}

	/** One client: a keep-alive connection, opened again if it breaks; returns its messages. */
	private long drain(InetSocketAddress address) {
		byte[] request = ("GET " + this.path + " HTTP/1.1\r\nHost: " + address.getHostString() + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		long mine = 0;
		int consecutiveEmpty = 0;
		while (!this.done.get() && consecutiveEmpty < this.emptyToStop) {
			try (Socket socket = new Socket()) {
				socket.setTcpNoDelay(true);
				socket.setSoTimeout(STALL_MS);
				socket.connect(address, 5000);
				OutputStream out = socket.getOutputStream();
				InputStream in = new BufferedInputStream(socket.getInputStream());
				while (!this.done.get() && consecutiveEmpty < this.emptyToStop) {
					out.write(request);
					out.flush();
					Latency.Response response = Latency.Response.read(in);
					if (response.status() == 200) {
						consecutiveEmpty = 0;
						mine++;
						this.lastMessageNanos.accumulateAndGet(System.nanoTime(), Math::max);
						Matcher number = NUMBER.matcher(new String(response.body(), 0,
								Math.min(response.body().length, 64), StandardCharsets.US_ASCII));
						if (number.find()) {
							this.numbers.add(Long.parseLong(number.group(1)));
						}
						if (this.received.incrementAndGet() >= this.maxMessages) {
							this.done.set(true);
						}
					}
					else if (response.status() == 204) {
						consecutiveEmpty++;
						this.empty.incrementAndGet();
					}
					else {
						// An error body may be chunked: start again on a fresh connection.
						this.failed.incrementAndGet();
						break;
					}
				}
			}
			catch (SocketTimeoutException ex) {
				this.stalled.incrementAndGet();
				System.err.printf("stalled: no answer in %d ms on %s after %d messages on it%n", STALL_MS, address, mine);
			}
			catch (IOException ex) {
				this.failed.incrementAndGet();
				sleepQuietly();
			}
		}
		return mine;
	}

	private static void sleepQuietly() {
		try {
			Thread.sleep(100);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
