import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drains a consumer endpoint through server-sent event streams ({@code Accept: text/event-stream})
 * and counts the messages: N streams, each on its own connection and thread, read with a plain
 * socket (the chunked body decoded by hand, so the client spends as little CPU as it can on a
 * machine it shares with the gateway and the broker). An event with a {@code data:} line is one
 * message. With an acknowledgement batch (lease mode) each stream collects the events' {@code id:}
 * receipts and, at every batch, POSTs them to {@code <path>/ack} on a keep-alive connection of its
 * own and waits for the answer before it reads on, as PerfTest's consumer acknowledges in its
 * delivery thread; every receipt must come back {@code "outcome":"acked"}. At the end a lease
 * stream reads on, without acknowledging, until the gateway stops for want of credit, closes, and
 * acknowledges the rest (not counted), so that nothing stays leased for the next run.
 *
 * <p>Usage: {@code EventStreamDrain <host> <port> <path> <streams> <skip-seconds> <seconds> [ack-batch]}.
 * Counts the messages of the {@code seconds} after the first {@code skip-seconds} (connections,
 * the client's JIT) and prints {@code drained=} (messages in that window), {@code seconds=},
 * {@code rate=}, {@code total=} (all messages), {@code acked=} (receipts answered "acked"),
 * {@code not_acked=} (receipts answered otherwise), {@code failed=} (broken or refused streams),
 * {@code per_stream=}, and in lease mode the median and 90th percentile of the acknowledgements'
 * round trips ({@code ack_ms_p50=}, {@code ack_ms_p90=}) and of the time from an acknowledgement's
 * answer to the stream's next event ({@code next_event_ms_p50=}, {@code next_event_ms_p90=}): how
 * long the stream paused for want of credit after its client had settled.
 */
public final class EventStreamDrain {

	private static final int READ_TIMEOUT_MS = 500;

	private final InetSocketAddress address;

	private final String path;

	private final int ackBatch;

	private final AtomicLong drained = new AtomicLong();

	private final AtomicLong acked = new AtomicLong();

	private final AtomicLong notAcked = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	/** Round trips of the acknowledgements, in nanoseconds. */
	private final Queue<Long> ackRoundTrips = new ConcurrentLinkedQueue<>();

	/** From an acknowledgement's answer to the stream's next event, in nanoseconds. */
	private final Queue<Long> nextEventGaps = new ConcurrentLinkedQueue<>();

	private volatile boolean stop;

	private EventStreamDrain(InetSocketAddress address, String path, int ackBatch) {
		this.address = address;
		this.path = path;
		this.ackBatch = ackBatch;
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 6) {
			System.err.println("usage: EventStreamDrain <host> <port> <path> <streams> <skip-seconds> <seconds> [ack-batch]");
			System.exit(2);
		}
		EventStreamDrain drain = new EventStreamDrain(new InetSocketAddress(args[0], Integer.parseInt(args[1])), args[2],
				(args.length > 6) ? Integer.parseInt(args[6]) : 0);
		drain.run(Integer.parseInt(args[3]), Double.parseDouble(args[4]), Double.parseDouble(args[5]));
	}

	private void run(int streams, double skip, double seconds) throws InterruptedException {
		long[] perStream = new long[streams];
		Thread[] readers = new Thread[streams];
		for (int i = 0; i < streams; i++) {
			int index = i;
			readers[i] = new Thread(() -> perStream[index] = stream(), "stream-" + i);
			readers[i].start();
		}
		Thread.sleep((long) (skip * 1000));
		long from = this.drained.get();
		long start = System.nanoTime();
		Thread.sleep((long) (seconds * 1000));
		long to = this.drained.get();
		double elapsed = (System.nanoTime() - start) / 1e9;
		this.stop = true;
		for (Thread reader : readers) {
			reader.join();
		}
		StringBuilder split = new StringBuilder();
		for (long count : perStream) {
			split.append((split.length() > 0) ? "," : "").append(count);
		}
		System.out.printf("drained=%d seconds=%.2f rate=%.0f total=%d acked=%d not_acked=%d failed=%d per_stream=%s"
				+ " ack_ms_p50=%.2f ack_ms_p90=%.2f next_event_ms_p50=%.2f next_event_ms_p90=%.2f%n", to - from, elapsed,
				(to - from) / elapsed, this.drained.get(), this.acked.get(), this.notAcked.get(), this.failed.get(), split,
				percentile(this.ackRoundTrips, 50), percentile(this.ackRoundTrips, 90), percentile(this.nextEventGaps, 50),
				percentile(this.nextEventGaps, 90));
	}

	/** One stream until told to stop; returns its messages. */
	private long stream() {
		long mine = 0;
		try (Socket socket = connect(); Acks acks = (this.ackBatch > 0) ? new Acks(connect()) : null) {
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + this.path + " HTTP/1.1\r\nHost: " + this.address.getHostString()
					+ "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			Events events = new Events(socket.getInputStream());
			if (events.status != 200) {
				throw new IOException("status " + events.status);
			}
			List<String> receipts = new ArrayList<>();
			long answered = 0;
			while (!this.stop) {
				Events.Event event = events.next();
				if (event == null) {
					continue;
				}
				if (event == Events.END) {
					throw new IOException("the stream ended");
				}
				mine++;
				this.drained.incrementAndGet();
				if (answered != 0) {
					this.nextEventGaps.add(System.nanoTime() - answered);
					answered = 0;
				}
				if (acks != null) {
					receipts.add(event.id());
					if (receipts.size() == this.ackBatch) {
						long sent = System.nanoTime();
						acknowledge(acks, receipts);
						answered = System.nanoTime();
						this.ackRoundTrips.add(answered - sent);
						receipts.clear();
					}
				}
			}
			if (acks != null) {
				// Settle everything this stream was sent, so that no lease outlives the run: with no
				// more acknowledgements the stream stops at its credit; read up to there, close it (so
				// that nothing more is leased), then acknowledge what was read.
				Events.Event event;
				while ((event = events.next()) != null && event != Events.END) {
					mine++;
					this.drained.incrementAndGet();
					receipts.add(event.id());
				}
				socket.close();
				if (!receipts.isEmpty()) {
					acknowledge(acks, receipts);
				}
			}
		}
		catch (IOException ex) {
			this.failed.incrementAndGet();
			System.err.println("stream failed after " + mine + " messages: " + ex.getMessage());
		}
		return mine;
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket();
		socket.setTcpNoDelay(true);
		socket.setSoTimeout(READ_TIMEOUT_MS);
		socket.connect(this.address, 5000);
		return socket;
	}

	private void acknowledge(Acks acks, List<String> receipts) throws IOException {
		StringBuilder body = new StringBuilder("{\"receipts\":[");
		for (int i = 0; i < receipts.size(); i++) {
			body.append((i > 0) ? ",\"" : "\"").append(receipts.get(i)).append('"');
		}
		byte[] json = body.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
		acks.out.write(("POST " + this.path + "/ack HTTP/1.1\r\nHost: " + this.address.getHostString()
				+ "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		acks.out.write(json);
		acks.out.flush();
		Latency.Response response = Latency.Response.read(acks.in);
		int ok = (response.status() == 200)
				? count(new String(response.body(), StandardCharsets.US_ASCII), "\"outcome\":\"acked\"") : 0;
		this.acked.addAndGet(ok);
		this.notAcked.addAndGet(receipts.size() - ok);
	}

	/** A stream's keep-alive connection for its acknowledgements. */
	private static final class Acks implements AutoCloseable {

		final Socket socket;

		final OutputStream out;

		final InputStream in;

		Acks(Socket socket) throws IOException {
			this.socket = socket;
			// The answer to a batch may take longer than the streams' short read timeout.
			socket.setSoTimeout(10_000);
			this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
			this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

	private static double percentile(Queue<Long> nanos, int percent) {
		List<Long> sorted = new ArrayList<>(nanos);
		if (sorted.isEmpty()) {
			return 0;
		}
		Collections.sort(sorted);
		return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100)) / 1e6;
	}

	private static int count(String text, String part) {
		int n = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
			n++;
		}
		return n;
	}

	/**
	 * The events of one chunked {@code text/event-stream} response, read from the socket in large
	 * blocks: the chunk framing is taken off and each line looked at only as far as it must be
	 * ({@code data:} lines are counted, not kept; {@code id:} lines are kept).
	 */
	private static final class Events {

		record Event(String id) {
		}

		static final Event END = new Event("end");

		private final InputStream in;

		private final byte[] buffer = new byte[64 * 1024];

		private int position;

		private int limit;

		/** Bytes left in the current chunk; -1 while reading a chunk-size line. */
		private long chunkLeft = -1;

		private final StringBuilder sizeLine = new StringBuilder();

		private boolean skipCrlf;

		private final StringBuilder line = new StringBuilder();

		/** Whether the current line is kept whole (an id line, or one not yet known). */
		private boolean keepLine = true;

		private int lineLength;

		private boolean sawData;

		private String id;

		final int status;

		Events(InputStream in) throws IOException {
			this.in = in;
			this.status = head();
		}

		/** The next event with data, null when nothing came within the read timeout, END at the end. */
		Event next() throws IOException {
			while (true) {
				if (!this.keepLine) {
					skipLine();
				}
				int b = dechunked();
				if (b == -2) {
					return null;
				}
				if (b == -1) {
					return END;
				}
				if (b == '\n') {
					boolean blank = this.lineLength == 0;
					if (this.keepLine && this.line.length() > 3 && this.line.substring(0, 3).equals("id:")) {
						this.id = this.line.substring(3).trim();
					}
					this.line.setLength(0);
					this.lineLength = 0;
					this.keepLine = true;
					if (blank && this.sawData) {
						Event event = new Event(this.id);
						this.sawData = false;
						this.id = null;
						return event;
					}
					continue;
				}
				if (b == '\r') {
					continue;
				}
				this.lineLength++;
				if (this.keepLine) {
					this.line.append((char) b);
					if (this.line.length() == 5 && this.line.toString().equals("data:")) {
						this.sawData = true;
						this.keepLine = false;
					}
					else if (this.line.length() == 1 && b == ':') {
						// A comment: the heartbeat.
						this.keepLine = false;
					}
				}
			}
		}

		// A line not kept is not looked at: jump to its newline within the bytes read of this chunk.
		private void skipLine() {
			if (this.chunkLeft <= 0) {
				return;
			}
			int end = (int) Math.min(this.limit, this.position + Math.min(this.chunkLeft, Integer.MAX_VALUE));
			int at = this.position;
			while (at < end && this.buffer[at] != '\n') {
				at++;
			}
			this.lineLength += at - this.position;
			this.chunkLeft -= at - this.position;
			this.position = at;
			if (this.chunkLeft == 0) {
				this.skipCrlf = true;
			}
		}

		/** The next byte of the body, -1 at its end, -2 when nothing came within the read timeout. */
		private int dechunked() throws IOException {
			while (this.chunkLeft <= 0) {
				int b = raw();
				if (b < 0) {
					return b;
				}
				if (this.skipCrlf) {
					if (b == '\n') {
						this.skipCrlf = false;
					}
					continue;
				}
				if (b == '\n') {
					String size = this.sizeLine.toString().trim();
					this.sizeLine.setLength(0);
					int extension = size.indexOf(';');
					this.chunkLeft = Long.parseLong((extension >= 0) ? size.substring(0, extension) : size, 16);
					if (this.chunkLeft == 0) {
						return -1;
					}
				}
				else if (b != '\r') {
					this.sizeLine.append((char) b);
				}
			}
			int b = raw();
			if (b >= 0 && --this.chunkLeft == 0) {
				this.skipCrlf = true;
			}
			return b;
		}

		private int raw() throws IOException {
			if (this.position == this.limit) {
				try {
					int n = this.in.read(this.buffer);
					if (n < 0) {
						return -1;
					}
					this.position = 0;
					this.limit = n;
				}
				catch (SocketTimeoutException ex) {
					return -2;
				}
			}
			return this.buffer[this.position++] & 0xff;
		}

		private int head() throws IOException {
			String statusLine = headLine();
			int status = Integer.parseInt(statusLine.substring(9, 12));
			boolean chunked = false;
			String header;
			while (!(header = headLine()).isEmpty()) {
				chunked |= header.toLowerCase().startsWith("transfer-encoding:") && header.toLowerCase().contains("chunked");
			}
			if (status == 200 && !chunked) {
				throw new IOException("expected a chunked event stream");
			}
			return status;
		}

		private String headLine() throws IOException {
			StringBuilder text = new StringBuilder();
			int b;
			while ((b = raw()) != '\n') {
				if (b == -1) {
					throw new IOException("connection closed");
				}
				if (b >= 0 && b != '\r') {
					text.append((char) b);
				}
			}
			return text.toString();
		}

	}

}
