import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the CPU samples of a JFR recording: samples per thread group, the hottest methods
 * by own time (top frame) and by total time (anywhere on the stack), and the hottest methods of
 * chosen packages. Usage: {@code JfrTop <recording.jfr> [top] [package prefix ...]}, or
 * {@code JfrTop <recording.jfr> --focus <method name part>} for who calls a method (the first
 * application or library frame below it, by thread group).
 */
public final class JfrTop {

	private JfrTop() {
	}

	public static void main(String[] args) throws Exception {
		List<RecordedEvent> events = RecordingFile.readAllEvents(Path.of(args[0]));
		if (args.length > 2 && args[1].equals("--focus")) {
			focus(events, args[2]);
			return;
		}
		int top = (args.length > 1) ? Integer.parseInt(args[1]) : 25;
		List<String> packages = (args.length > 2) ? List.of(args).subList(2, args.length) : List.of("dev.amqpgateway");
		Map<String, Integer> self = new HashMap<>();
		Map<String, Integer> total = new HashMap<>();
		Map<String, Integer> threads = new HashMap<>();
		Map<String, Integer> own = new HashMap<>();
		Map<String, Long> allocations = new HashMap<>();
		int samples = 0;
		for (RecordedEvent event : events) {
			String type = event.getEventType().getName();
			if (type.equals("jdk.ObjectAllocationSample")) {
				RecordedStackTrace stack = event.getStackTrace();
				String where = (stack != null) ? firstOf(stack, packages) : "?";
				allocations.merge(event.getClass("objectClass").getName() + " @ " + where, event.getLong("weight"),
						Long::sum);
				continue;
			}
			if (!type.equals("jdk.ExecutionSample")) {
				continue;
			}
			samples++;
			threads.merge(group(event.getThread("sampledThread").getJavaName()), 1, Integer::sum);
			RecordedStackTrace stack = event.getStackTrace();
			if (stack == null || stack.getFrames().isEmpty()) {
				continue;
			}
			self.merge(name(stack.getFrames().get(0)), 1, Integer::sum);
			Set<String> seen = new HashSet<>();
			String firstOwn = null;
			for (RecordedFrame frame : stack.getFrames()) {
				String name = name(frame);
				if (seen.add(name)) {
					total.merge(name, 1, Integer::sum);
				}
				if (firstOwn == null && packages.stream().anyMatch(name::startsWith)) {
					firstOwn = name;
				}
			}
			if (firstOwn != null) {
				own.merge(firstOwn, 1, Integer::sum);
			}
		}
		System.out.println("execution samples: " + samples);
		print("samples by thread", threads, samples, top);
		print("hottest methods, own time", self, samples, top);
		print("hottest methods, total time (on the stack)", total, samples, top);
		print("innermost frame of " + packages + " on the stack", own, samples, top);
		long allocated = allocations.values().stream().mapToLong(Long::longValue).sum();
		if (allocated > 0) {
			System.out.println();
			System.out.printf("allocation (sampled weight, %d MB in all), top%n", allocated >> 20);
			allocations.entrySet()
				.stream()
				.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
				.limit(top)
				.forEach((entry) -> System.out.printf("  %5.1f%%  %s%n", 100.0 * entry.getValue() / allocated,
						entry.getKey()));
		}
	}

	private static void focus(List<RecordedEvent> events, String part) {
		Map<String, Integer> callers = new HashMap<>();
		int samples = 0;
		int matching = 0;
		for (RecordedEvent event : events) {
			if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
				continue;
			}
			samples++;
			List<RecordedFrame> frames = event.getStackTrace().getFrames();
			int at = -1;
			for (int i = 0; i < frames.size(); i++) {
				if (name(frames.get(i)).contains(part)) {
					at = i;
				}
			}
			if (at < 0) {
				continue;
			}
			matching++;
			String caller = "?";
			for (int i = at + 1; i < frames.size(); i++) {
				String name = name(frames.get(i));
				if (!name.startsWith("java.") && !name.startsWith("jdk.") && !name.startsWith("sun.")
						&& !name.startsWith(".") && !name.startsWith("lib") && !name.contains("$$Lambda")) {
					caller = name;
					break;
				}
			}
			callers.merge(group(event.getThread("sampledThread").getJavaName()) + "  <-  " + caller, 1, Integer::sum);
		}
		System.out.printf("%d of %d samples have %s on the stack%n", matching, samples, part);
		print("by thread and first caller outside the JDK", callers, samples, 40);
	}

	private static void print(String title, Map<String, Integer> counts, int samples, int top) {
		System.out.println();
		System.out.println(title);
		counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
			.limit(top)
			.forEach((entry) -> System.out.printf("  %5.1f%%  %s%n", 100.0 * entry.getValue() / samples, entry.getKey()));
	}

	private static String firstOf(RecordedStackTrace stack, List<String> packages) {
		for (RecordedFrame frame : stack.getFrames()) {
			String name = name(frame);
			if (packages.stream().anyMatch(name::startsWith)) {
				return name;
			}
		}
		return stack.getFrames().isEmpty() ? "?" : name(stack.getFrames().get(0));
	}

	private static String name(RecordedFrame frame) {
		return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
	}

	/** Thread names without their numbers, so that pools show as one line. */
	private static String group(String thread) {
		return (thread != null) ? thread.replaceAll("[-#]?\\d+", "-N") : "?";
	}

}
