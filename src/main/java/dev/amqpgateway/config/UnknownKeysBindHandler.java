package dev.amqpgateway.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.context.properties.source.UnboundElementsSourceFilter;

/**
 * Refuses any key under {@code gateway} that binds to nothing, also inside list elements such as
 * {@code gateway.endpoints[0].backend[0].amqp.consumer.prefech_count}.
 * <p>
 * Boot's own check for {@code ignoreUnknownFields = false} takes every unbound key below a list
 * element for one whose list a higher-priority source has replaced, so a misspelt consumer key
 * would be ignored silently. Here a key is only forgiven when a key of the same shape (the same
 * name with any list index) was asked for while binding, which is what a replaced element has and
 * a misspelt key has not.
 * <p>
 * The validation errors of the same binding are not lost behind unknown keys: they travel as
 * suppressed exceptions of the {@link UnboundConfigurationPropertiesException}, so that one
 * startup failure names every wrong key.
 */
final class UnknownKeysBindHandler extends AbstractBindHandler {

	private static final ConfigurationPropertyName GATEWAY = ConfigurationPropertyName.of("gateway");

	private final UnboundElementsSourceFilter sourceFilter = new UnboundElementsSourceFilter();

	private final Set<String> attemptedShapes = new HashSet<>();

	private final Set<ConfigurationPropertyName> boundNames = new HashSet<>();

	UnknownKeysBindHandler(BindHandler parent) {
		super(parent);
	}

	@Override
	public <T> @Nullable Bindable<T> onStart(ConfigurationPropertyName name, Bindable<T> target, BindContext context) {
		this.attemptedShapes.add(shape(name));
		return super.onStart(name, target, context);
	}

	@Override
	public @Nullable Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
			Object result) {
		this.boundNames.add(name);
		return super.onSuccess(name, target, context, result);
	}

	@Override
	public void onFinish(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
			@Nullable Object result) throws Exception {
		Set<ConfigurationProperty> unknown = (context.getDepth() == 0 && GATEWAY.equals(name))
				? unknownKeys(context) : Set.of();
		if (unknown.isEmpty()) {
			try {
				super.onFinish(name, target, context, result);
			}
			catch (UnboundConfigurationPropertiesException ex) {
				if (context.getDepth() != 0 || !GATEWAY.equals(name)) {
					throw ex;
				}
				// Boot's check takes the elements of a list another source replaced for unknown
				// keys; this handler's check, which found none, is the one that knows.
			}
			return;
		}
		UnboundConfigurationPropertiesException unknownKeys = new UnboundConfigurationPropertiesException(unknown);
		try {
			// The parents validate the tree, then run Boot's own check for unknown keys.
			super.onFinish(name, target, context, result);
		}
		catch (BindValidationException ex) {
			unknownKeys.addSuppressed(ex);
		}
		catch (UnboundConfigurationPropertiesException ex) {
			// Boot's report of unknown keys gives way to this one, which misses none in list elements.
		}
		throw unknownKeys;
	}

	private Set<ConfigurationProperty> unknownKeys(BindContext context) {
		Set<ConfigurationProperty> unknown = new TreeSet<>();
		List<ConfigurationPropertySource> sources = new ArrayList<>();
		context.getSources().forEach(sources::add);
		for (ConfigurationPropertySource source : sources) {
			if (source instanceof IterableConfigurationPropertySource iterable && this.sourceFilter.apply(source)) {
				iterable.filter((key) -> isUnknown(key) && !replaced(key, source, sources)).forEach((key) -> {
					ConfigurationProperty property = iterable.getConfigurationProperty(key);
					if (property != null) {
						unknown.add(property);
					}
				});
			}
		}
		return unknown;
	}

	private boolean isUnknown(ConfigurationPropertyName candidate) {
		return GATEWAY.isAncestorOf(candidate) && !this.boundNames.contains(candidate)
				&& !this.attemptedShapes.contains(shape(candidate));
	}

	/**
	 * Whether the list the key is an element of comes from a source of higher priority, which Boot
	 * binds whole: the key's element was replaced, not misspelt (its siblings of another kind, say a
	 * consumer's keys under an endpoint a test made a producer, were never asked for). A source
	 * holds the list when it has elements of it or a value for the list itself, such as
	 * {@code endpoints: []} in a profile's file, which Boot binds as an empty list.
	 */
	private boolean replaced(ConfigurationPropertyName key, ConfigurationPropertySource source,
			List<ConfigurationPropertySource> sources) {
		for (int i = 1; i < key.getNumberOfElements(); i++) {
			if (key.isNumericIndex(i)) {
				ConfigurationPropertyName list = key.chop(i);
				for (ConfigurationPropertySource candidate : sources) {
					if (this.sourceFilter.apply(candidate) && (candidate.getConfigurationProperty(list) != null
							|| candidate.containsDescendantOf(list) == ConfigurationPropertyState.PRESENT)) {
						return candidate != source;
					}
				}
				return false;
			}
		}
		return false;
	}

	private static String shape(ConfigurationPropertyName name) {
		StringBuilder shape = new StringBuilder();
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			shape.append(name.isNumericIndex(i) ? "[*]" : "." + name.getElement(i, Form.UNIFORM));
		}
		return shape.toString();
	}

}
