package dev.amqpgateway.krakend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.commons.logging.Log;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

/**
 * Loads the KrakenD file named by {@code gateway.krakend_config}, once the application's own
 * configuration is read, and adds its endpoints and agents after those of the configuration as a
 * property source of the highest precedence. Boot binds a list from the one source of highest
 * precedence that has it, so that source also carries the configuration's own elements of
 * {@code gateway.endpoints} and {@code gateway.async_agents}, with their origins: one model, two
 * sources, bound and validated together.
 */
public class KrakendConfigEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Right after the application's configuration files are read. */
	public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 1;

	private static final ConfigurationPropertyName ENDPOINTS = ConfigurationPropertyName.of("gateway.endpoints");

	private static final ConfigurationPropertyName AGENTS = ConfigurationPropertyName.of("gateway.async-agents");

	private final Log logger;

	public KrakendConfigEnvironmentPostProcessor(DeferredLogFactory logs) {
		this.logger = logs.getLog(KrakendConfigEnvironmentPostProcessor.class);
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		Binder binder = Binder.get(environment);
		String location = binder.bind("gateway.krakend-config", String.class).orElse("");
		if (location.isBlank()) {
			return;
		}
		boolean strict = binder.bind("gateway.krakend-strict", Boolean.class).orElse(false);
		KrakendDocument document = KrakendDocument.read(location, read(location));
		Map<String, Object> properties = new LinkedHashMap<>();
		int endpoints = copy(environment, ENDPOINTS, properties);
		int agents = copy(environment, AGENTS, properties);
		KrakendTranslator translator = new KrakendTranslator(document).translate(endpoints, agents);
		List<String> problems = new ArrayList<>(translator.refused());
		if (strict) {
			translator.skipped().forEach((line) -> problems.add(line + " (not run, and gateway.krakend_strict is true)"));
		}
		if (!problems.isEmpty()) {
			throw new KrakendConfigException(location, problems);
		}
		translator.skipped().forEach((line) -> this.logger.warn(location + ": not run: " + line));
		properties.putAll(translator.properties());
		environment.getPropertySources()
			.addFirst(new OriginTrackedMapPropertySource("KrakenD configuration '" + location + "'", properties));
		this.logger.info(location + ": " + translator.endpoints() + " endpoint(s) and " + translator.agents()
				+ " async agent(s) loaded, " + translator.skipped().size() + " thing(s) not run");
	}

	private static String read(String location) {
		Resource resource = new DefaultResourceLoader().getResource(location);
		try (InputStream in = resource.getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new KrakendConfigException(location, List.of("cannot be read (" + ex.getMessage()
					+ "); name it as a resource, such as file:krakend.json or classpath:krakend.json"));
		}
	}

	/**
	 * Copy the list under the name from the source Boot would bind it from, keeping origins.
	 * @return the number of elements, where the file's elements start
	 */
	private static int copy(ConfigurableEnvironment environment, ConfigurationPropertyName list,
			Map<String, Object> properties) {
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (!(source instanceof IterableConfigurationPropertySource iterable)) {
				continue;
			}
			Set<Integer> indexes = new TreeSet<>();
			iterable.stream().filter(list::isAncestorOf).forEach((name) -> {
				ConfigurationProperty property = source.getConfigurationProperty(name);
				if (property != null) {
					properties.put(name.toString(), OriginTrackedValue.of(property.getValue(), property.getOrigin()));
					indexes.add(index(name, list.getNumberOfElements()));
				}
			});
			if (!indexes.isEmpty()) {
				return indexes.stream().mapToInt(Integer::intValue).max().getAsInt() + 1;
			}
		}
		return 0;
	}

	private static int index(ConfigurationPropertyName name, int at) {
		try {
			return Integer.parseInt(name.getElement(at, ConfigurationPropertyName.Form.ORIGINAL));
		}
		catch (NumberFormatException | IndexOutOfBoundsException ex) {
			return 0;
		}
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
