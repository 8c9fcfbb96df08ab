package dev.amqpgateway.krakend;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A KrakenD file read into a tree, with the line and column of every value, so that anything
 * the gateway says about the file can point into it.
 */
final class KrakendDocument {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private final String file;

	private final JsonNode root;

	private final Map<String, TokenStreamLocation> locations;

	private KrakendDocument(String file, JsonNode root, Map<String, TokenStreamLocation> locations) {
		this.file = file;
		this.root = root;
		this.locations = locations;
	}

	/**
	 * Read a file's text.
	 * @param file the file, as configured, for messages
	 * @param text its content
	 * @return the document
	 * @throws KrakendConfigException when the text holds template syntax or is no JSON object
	 */
	static KrakendDocument read(String file, String text) {
		int template = text.indexOf("{{");
		if (template != -1) {
			int line = (int) text.substring(0, template).chars().filter((c) -> c == '\n').count() + 1;
			throw new KrakendConfigException(file, List.of("line " + line + " holds template syntax ({{ ... }}): "
					+ "KrakenD's flexible configuration is not supported; render the templates first "
					+ "(krakend check -d -c ... with FC_ENABLE=1 prints the final file) and load that"));
		}
		Map<String, TokenStreamLocation> locations = new HashMap<>();
		try (JsonParser parser = MAPPER.createParser(text)) {
			JsonToken token;
			while ((token = parser.nextToken()) != null) {
				if (token.isScalarValue() || token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
					locations.putIfAbsent(parser.streamReadContext().pathAsPointer().toString(),
							parser.currentTokenLocation());
				}
			}
			JsonNode root = MAPPER.readTree(text);
			if (root == null || !root.isObject()) {
				throw new KrakendConfigException(file, List.of("is not a JSON object"));
			}
			return new KrakendDocument(file, root, locations);
		}
		catch (JacksonException ex) {
			TokenStreamLocation at = ex.getLocation();
			throw new KrakendConfigException(file, List.of("is not valid JSON"
					+ ((at != null) ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "") + ": "
					+ ex.getOriginalMessage()));
		}
	}

	JsonNode root() {
		return this.root;
	}

	String file() {
		return this.file;
	}

	/**
	 * Where the value at a path was written.
	 * @param path the path
	 * @return its origin, with line and column when known
	 */
	KrakendOrigin origin(JsonPath path) {
		TokenStreamLocation location = this.locations.get(path.pointer());
		return (location != null)
				? new KrakendOrigin(this.file, path.display(), location.getLineNr(), location.getColumnNr())
				: new KrakendOrigin(this.file, path.display(), 0, 0);
	}

}
