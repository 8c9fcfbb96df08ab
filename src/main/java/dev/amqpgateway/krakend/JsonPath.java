package dev.amqpgateway.krakend;

import java.util.regex.Pattern;

/**
 * A place in a JSON document, written as a JSON path for people
 * ({@code $.endpoints[2].extra_config["backend/amqp/consumer"]}) and as a JSON pointer for lookups
 * ({@code /endpoints/2/extra_config/backend~1amqp~1consumer}).
 *
 * @param display the JSON path
 * @param pointer the JSON pointer
 */
record JsonPath(String display, String pointer) {

	private static final Pattern PLAIN = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

	static final JsonPath ROOT = new JsonPath("$", "");

	JsonPath field(String name) {
		String shown = PLAIN.matcher(name).matches() ? "." + name : "[\"" + name.replace("\"", "\\\"") + "\"]";
		return new JsonPath(this.display + shown, this.pointer + "/" + name.replace("~", "~0").replace("/", "~1"));
	}

	JsonPath index(int index) {
		return new JsonPath(this.display + "[" + index + "]", this.pointer + "/" + index);
	}

	@Override
	public String toString() {
		return this.display;
	}

}
