package dev.amqpgateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The feature packages depend on each other in one direction only, as the README's architecture
 * section draws them: configuration at the bottom; the HTTP side on the AMQP side and never the
 * reverse ({@code http} → {@code consume} → {@code broker}); health beside HTTP, reading the rest;
 * no cycles. A subpackage counts as part of its feature ({@code http.problem} is {@code http}).
 */
class ModularityTests {

	private static final Path SOURCES = Path.of("src/main/java/dev/amqpgateway");

	private static final Pattern IMPORT = Pattern.compile("^import dev\\.amqpgateway\\.([a-z]+)\\.", Pattern.MULTILINE);

	private static final Map<String, Set<String>> ALLOWED = Map.of(
			"config", Set.of(),
			"broker", Set.of("config"),
			"topology", Set.of("config", "broker"),
			"consume", Set.of("config", "broker"),
			"http", Set.of("config", "broker", "consume", "publish"),
			"publish", Set.of("config", "broker"),
			"agent", Set.of("config", "broker", "consume"),
			"krakend", Set.of("config"),
			"security", Set.of("config", "http"),
			"health", Set.of("config", "broker", "topology", "consume", "publish", "agent"));

	@Test
	void featurePackagesDependOnlyOnThoseBelowThem() throws IOException {
		Map<String, Set<String>> actual = dependencies();
		assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
		actual.forEach((feature, uses) -> assertThat(uses).as(feature + " depends on")
			.isSubsetOf(ALLOWED.get(feature)));
	}

	private static Map<String, Set<String>> dependencies() throws IOException {
		Map<String, Set<String>> dependencies = new TreeMap<>();
		try (Stream<Path> files = Files.walk(SOURCES)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".java")).toList()) {
				Path relative = SOURCES.relativize(file);
				if (relative.getNameCount() < 2) {
					continue;
				}
				String feature = relative.getName(0).toString();
				Set<String> uses = dependencies.computeIfAbsent(feature, (key) -> new TreeSet<>());
				Matcher imports = IMPORT.matcher(Files.readString(file));
				while (imports.find()) {
					if (!imports.group(1).equals(feature)) {
						uses.add(imports.group(1));
					}
				}
			}
		}
		return dependencies;
	}

}
