import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Messages held by gateway instances, sampled from outside every 200 ms until the process is
 * stopped (SIGTERM), then summarised. Two views per instance and sample:
 * <ul>
 * <li>broker: {@code messages_unacknowledged} summed over the channels of the instance's AMQP
 * connections, from the management API ({@code /api/channels}), matched by the connection's client
 * port. Independent of the gateway, but the broker refreshes these figures only once per
 * {@code collect_statistics_interval} (5 s by default): a poll sees the state of the last refresh.
 * <li>gateway: the instance's own gauge {@code gateway.messages.buffered} (messages received from
 * the broker and not yet handed to a request), read from its actuator: current at every poll.
 * </ul>
 *
 * <p>Usage: {@code HeldSampler <management-url> <user:password> <samples.tsv> <instance>...}, an
 * instance being {@code name:http-port:amqp-client-port[+port...]:idle|busy}; "idle" marks the
 * instances that no client uses in the case measured. Prints {@code sampling} once the first poll
 * is in, and when stopped, on one line:
 * <ul>
 * <li>{@code broker_max=} and {@code gateway_max=}: the largest count per instance,
 * {@code name=count,...};
 * <li>{@code idle_broker_max=}, {@code idle_gateway_max=}: the largest sum over the idle instances
 * at one poll;
 * <li>{@code idle_broker_s=}, {@code idle_gateway_s=}: the longest stretch of consecutive polls in
 * which that sum stayed above zero, in seconds (from its first poll to the poll after its last;
 * failed polls neither end nor start a stretch);
 * <li>{@code idle_held_1s=}: the largest, over the polls, sum over the idle instances of the
 * smallest gauge value each showed during the second before (failed polls left out): an upper
 * bound of the messages that had been held unclaimed by idle instances for a whole second at that
 * moment (a level count while messages come and go would overstate it), and the exact number when
 * the idle instances neither hand out nor release anything, as a gateway that keeps its prefetch
 * window full does;
 * <li>{@code polls=}, {@code failed_polls=}.
 * </ul>
 */
public final class HeldSampler {

	private static final long PERIOD_MS = 200;

	private static final long HELD_MS = 1000;

	private static final Pattern VALUE = Pattern.compile("\"value\":([0-9.Ee+-]+)");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final String managementUrl;

	private final String authorization;

	private final List<Instance> instances;

	private final List<Sample> samples = new ArrayList<>();

	private int failedPolls;

	private HeldSampler(String managementUrl, String credentials, List<Instance> instances) {
		this.managementUrl = managementUrl;
		this.authorization = "Basic "
				+ Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
		this.instances = instances;
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 4) {
			System.err.println(
					"usage: HeldSampler <management-url> <user:password> <samples.tsv> <name:http-port:amqp-port[+port]:idle|busy>...");
			System.exit(2);
		}
		List<Instance> instances = new ArrayList<>();
		for (int i = 3; i < args.length; i++) {
			instances.add(Instance.parse(args[i]));
		}
		HeldSampler sampler = new HeldSampler(args[0], args[1], instances);
		Path tsv = Path.of(args[2]);
		Thread main = Thread.currentThread();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			main.interrupt();
			synchronized (sampler) {
				sampler.report(tsv);
			}
		}));
		sampler.run();
	}

	private void run() {
		long start = System.nanoTime();
		long next = start;
		while (!Thread.currentThread().isInterrupted()) {
			long elapsedMs = (System.nanoTime() - start) / 1_000_000;
			Sample sample = poll(elapsedMs);
			synchronized (this) {
				this.samples.add(sample);
			}
			if (this.samples.size() == 1) {
				// The caller starts the case only now, so that the first poll sees the state before it.
				System.out.println("sampling");
				System.out.flush();
			}
			next += PERIOD_MS * 1_000_000;
			long wait = next - System.nanoTime();
			if (wait > 0) {
				try {
					Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}
	}

	private Sample poll(long elapsedMs) {
		int[] unacked = new int[this.instances.size()];
		int[] buffered = new int[this.instances.size()];
		try {
			JsonElement channels = JsonParser.parseString(get(this.managementUrl
					+ "/api/channels?columns=connection_details.peer_port,messages_unacknowledged", true));
			for (int i = 0; i < this.instances.size(); i++) {
				unacked[i] = -1;
			}
			for (JsonElement element : channels.getAsJsonArray()) {
				JsonObject channel = element.getAsJsonObject();
				JsonObject connection = channel.getAsJsonObject("connection_details");
				if (connection == null || !connection.has("peer_port") || !channel.has("messages_unacknowledged")) {
					continue;
				}
				int port = connection.get("peer_port").getAsInt();
				for (int i = 0; i < this.instances.size(); i++) {
					if (this.instances.get(i).amqpPorts().contains(port)) {
						unacked[i] = Math.max(unacked[i], 0) + channel.get("messages_unacknowledged").getAsInt();
					}
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			this.failedPolls++;
			Arrays.fill(unacked, -1);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		for (int i = 0; i < this.instances.size(); i++) {
			buffered[i] = -1;
			try {
				// The actuator's port, 1000 above the instance's (bench/instances starts them so).
				Matcher value = VALUE.matcher(get("http://127.0.0.1:" + (this.instances.get(i).httpPort() + 1000)
						+ "/actuator/metrics/gateway.messages.buffered", false));
				if (value.find()) {
					buffered[i] = (int) Double.parseDouble(value.group(1));
				}
			}
			catch (IOException | RuntimeException ex) {
				this.failedPolls++;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		return new Sample(elapsedMs, unacked, buffered);
	}

	private String get(String url, boolean management) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2));
		if (management) {
			request.header("Authorization", this.authorization);
		}
		HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IOException(url + " answered " + response.statusCode());
		}
		return response.body();
	}

	private void report(Path tsv) {
		List<Integer> idle = new ArrayList<>();
		for (int i = 0; i < this.instances.size(); i++) {
			if (this.instances.get(i).idle()) {
				idle.add(i);
			}
		}
		StringBuilder line = new StringBuilder();
		line.append("broker_max=").append(maxPerInstance(true));
		line.append(" gateway_max=").append(maxPerInstance(false));
		line.append(" idle_broker_max=").append(idle.isEmpty() ? "-" : String.valueOf(maxSum(idle, true)));
		line.append(" idle_broker_s=").append(idle.isEmpty() ? "-" : seconds(longestAboveZero(idle, true)));
		line.append(" idle_gateway_max=").append(idle.isEmpty() ? "-" : String.valueOf(maxSum(idle, false)));
		line.append(" idle_gateway_s=").append(idle.isEmpty() ? "-" : seconds(longestAboveZero(idle, false)));
		line.append(" idle_held_1s=").append(idle.isEmpty() ? "-" : String.valueOf(heldForASecond(idle)));
		line.append(" polls=").append(this.samples.size()).append(" failed_polls=").append(this.failedPolls);
		System.out.println(line);
		System.out.flush();
		try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(tsv))) {
			StringBuilder header = new StringBuilder("ms");
			for (Instance instance : this.instances) {
				header.append("\tbroker_").append(instance.name()).append("\tgateway_").append(instance.name());
			}
			out.println(header);
			for (Sample sample : this.samples) {
				StringBuilder row = new StringBuilder().append(sample.ms());
				for (int i = 0; i < this.instances.size(); i++) {
					row.append('\t').append(sample.unacked()[i]).append('\t').append(sample.buffered()[i]);
				}
				out.println(row);
			}
		}
		catch (IOException ex) {
			System.err.println("could not write " + tsv + ": " + ex);
		}
	}

	private String maxPerInstance(boolean broker) {
		StringBuilder result = new StringBuilder();
		for (int i = 0; i < this.instances.size(); i++) {
			int max = -1;
			for (Sample sample : this.samples) {
				max = Math.max(max, sample.value(i, broker));
			}
			result.append((i > 0) ? "," : "").append(this.instances.get(i).name()).append('=')
				.append((max < 0) ? "?" : String.valueOf(max));
		}
		return result.toString();
	}

	private int maxSum(List<Integer> which, boolean broker) {
		int max = 0;
		for (Sample sample : this.samples) {
			max = Math.max(max, sample.sum(which, broker));
		}
		return max;
	}

	private long longestAboveZero(List<Integer> which, boolean broker) {
		long longest = 0;
		long from = -1;
		for (Sample sample : this.samples) {
			int sum = sample.sum(which, broker);
			if (sum < 0) {
				// A failed poll tells nothing: it neither ends a stretch nor starts one.
				continue;
			}
			if (sum > 0 && from < 0) {
				from = sample.ms();
			}
			else if (sum == 0 && from >= 0) {
				longest = Math.max(longest, sample.ms() - from);
				from = -1;
			}
		}
		if (from >= 0 && !this.samples.isEmpty()) {
			longest = Math.max(longest, this.samples.get(this.samples.size() - 1).ms() + PERIOD_MS - from);
		}
		return longest;
	}

	private int heldForASecond(List<Integer> which) {
		int held = 0;
		for (int end = 0; end < this.samples.size(); end++) {
			long to = this.samples.get(end).ms();
			if (to - this.samples.get(0).ms() < HELD_MS) {
				continue;
			}
			int sum = 0;
			for (int i : which) {
				int least = Integer.MAX_VALUE;
				for (int at = end; at >= 0 && to - this.samples.get(at).ms() <= HELD_MS; at--) {
					int value = this.samples.get(at).buffered()[i];
					if (value >= 0) {
						least = Math.min(least, value);
					}
				}
				// No successful poll of this instance in the second: nothing shown held.
				sum += (least == Integer.MAX_VALUE) ? 0 : least;
			}
			held = Math.max(held, sum);
		}
		return held;
	}

	private static String seconds(long ms) {
		return String.format("%.1f", ms / 1000.0);
	}

	/** One gateway instance as the sampler knows it. */
	record Instance(String name, int httpPort, Set<Integer> amqpPorts, boolean idle) {

		static Instance parse(String spec) {
			String[] parts = spec.split(":");
			Set<Integer> ports = new HashSet<>();
			for (String port : parts[2].split("\\+")) {
				if (!port.isEmpty()) {
					ports.add(Integer.parseInt(port));
				}
			}
			return new Instance(parts[0], Integer.parseInt(parts[1]), ports, parts[3].equals("idle"));
		}

	}

	/** One poll: per instance, the broker's unacknowledged count and the gauge (-1: unknown). */
	record Sample(long ms, int[] unacked, int[] buffered) {

		int value(int instance, boolean broker) {
			return broker ? this.unacked[instance] : this.buffered[instance];
		}

		/** The sum over some instances, or -1 when the poll failed for one of them. */
		int sum(List<Integer> which, boolean broker) {
			int sum = 0;
			for (int i : which) {
				if (value(i, broker) < 0) {
					return -1;
				}
				sum += value(i, broker);
			}
			return sum;
		}

	}

}
