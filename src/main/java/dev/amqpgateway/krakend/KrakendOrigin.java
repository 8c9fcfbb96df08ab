package dev.amqpgateway.krakend;

import org.springframework.boot.origin.Origin;

/**
 * Where a value of a KrakenD file was written: its JSON path, and its line and column.
 *
 * @param file the file, as configured
 * @param jsonPath such as {@code $.endpoints[2].backend[0].extra_config["backend/amqp/consumer"].prefetch_count}
 * @param line the line, from 1; 0 when unknown
 * @param column the column, from 1
 */
record KrakendOrigin(String file, String jsonPath, int line, int column) implements Origin {

	@Override
	public String toString() {
		return this.jsonPath + " in " + this.file + ((this.line > 0) ? " (line " + this.line + ", column " + this.column + ")" : "");
	}

}
