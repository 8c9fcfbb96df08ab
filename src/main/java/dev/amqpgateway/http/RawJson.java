package dev.amqpgateway.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;

/**
 * JSON text already in UTF-8, written by a UTF-8 generator as the bytes it is. Jackson's own
 * {@link SerializedString} holds a {@code String}, which a raw value of a message body would have
 * to be decoded into only for the generator to encode it again; the quoted and character forms,
 * which a raw value never needs from a UTF-8 generator, are that string's, made when asked for.
 */
final class RawJson implements SerializableString {

	private final byte[] utf8;

	private @Nullable SerializedString text;

	RawJson(byte[] utf8) {
		this.utf8 = utf8;
	}

	private SerializedString text() {
		SerializedString text = this.text;
		if (text == null) {
			text = new SerializedString(new String(this.utf8, StandardCharsets.UTF_8));
			this.text = text;
		}
		return text;
	}

	@Override
	public String getValue() {
		return text().getValue();
	}

	@Override
	public int charLength() {
		return text().charLength();
	}

	@Override
	public char[] asQuotedChars() {
		return text().asQuotedChars();
	}

	@Override
	public byte[] asUnquotedUTF8() {
		return this.utf8;
	}

	@Override
	public byte[] asQuotedUTF8() {
		return text().asQuotedUTF8();
	}

	@Override
	public int appendQuotedUTF8(byte[] buffer, int offset) {
		return text().appendQuotedUTF8(buffer, offset);
	}

	@Override
	public int appendQuoted(char[] buffer, int offset) {
		return text().appendQuoted(buffer, offset);
	}

	@Override
	public int appendUnquotedUTF8(byte[] buffer, int offset) {
		if (this.utf8.length > buffer.length - offset) {
			return -1;
		}
		System.arraycopy(this.utf8, 0, buffer, offset, this.utf8.length);
		return this.utf8.length;
	}

	@Override
	public int appendUnquoted(char[] buffer, int offset) {
		return text().appendUnquoted(buffer, offset);
	}

	@Override
	public int writeQuotedUTF8(OutputStream out) throws IOException {
		return text().writeQuotedUTF8(out);
	}

	@Override
	public int writeUnquotedUTF8(OutputStream out) throws IOException {
		out.write(this.utf8);
		return this.utf8.length;
	}

	@Override
	public int putQuotedUTF8(ByteBuffer buffer) throws IOException {
		return text().putQuotedUTF8(buffer);
	}

	@Override
	public int putUnquotedUTF8(ByteBuffer buffer) throws IOException {
		if (this.utf8.length > buffer.remaining()) {
			return -1;
		}
		buffer.put(this.utf8);
		return this.utf8.length;
	}

	@Override
	public String toString() {
		return getValue();
	}

}
