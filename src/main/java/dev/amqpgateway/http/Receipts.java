package dev.amqpgateway.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.amqpgateway.consume.LeaseBook;
import org.jspecify.annotations.Nullable;

/**
 * Receipts of leased messages: opaque to clients, signed with HMAC-SHA256 so that nobody can forge
 * one or turn one into another. A receipt names the instance and the process that leased the
 * message, the endpoint and backend, and the lease's channel generation and delivery tag. Receipts
 * signed with a previous key are accepted while that key is listed, so that keys can be rotated.
 */
final class Receipts {

	private static final String VERSION = "r1";

	private static final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder decoder = Base64.getUrlDecoder();

	private final GatewayInstance instance;

	private final SecretKeySpec signing;

	private final List<SecretKeySpec> accepted = new ArrayList<>();

	Receipts(GatewayInstance instance, String secret, List<String> previousSecrets) {
		this.instance = instance;
		this.signing = key(secret);
		this.accepted.add(this.signing);
		previousSecrets.stream().map(Receipts::key).forEach(this.accepted::add);
	}

	/**
	 * The receipt of a lease.
	 * @param endpoint the endpoint's path
	 * @param backend the backend's index
	 * @param key the lease
	 * @return the receipt
	 */
	String issue(String endpoint, int backend, LeaseBook.LeaseKey key) {
		String payload = String.join("\n", VERSION, this.instance.name(), this.instance.process(), endpoint,
				String.valueOf(backend), String.valueOf(key.generation()), String.valueOf(key.deliveryTag()));
		byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
		return encoder.encodeToString(bytes) + "." + encoder.encodeToString(mac(this.signing, bytes));
	}

	/**
	 * Read a receipt.
	 * @param receipt what a client sent
	 * @return what it names, or null when it is not a receipt signed with one of the keys
	 */
	@Nullable Receipt read(@Nullable String receipt) {
		if (receipt == null) {
			return null;
		}
		int dot = receipt.indexOf('.');
		if (dot <= 0 || dot == receipt.length() - 1) {
			return null;
		}
		try {
			byte[] payload = decoder.decode(receipt.substring(0, dot));
			byte[] signature = decoder.decode(receipt.substring(dot + 1));
			if (this.accepted.stream().noneMatch((key) -> MessageDigest.isEqual(mac(key, payload), signature))) {
				return null;
			}
			String[] fields = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
			if (fields.length != 7 || !VERSION.equals(fields[0])) {
				return null;
			}
			return new Receipt(fields[1], fields[2], fields[3], Integer.parseInt(fields[4]),
					new LeaseBook.LeaseKey(Long.parseLong(fields[5]), Long.parseLong(fields[6])));
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static byte[] mac(SecretKeySpec key, byte[] payload) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(key);
			return mac.doFinal(payload);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is part of every Java runtime", ex);
		}
	}

	private static SecretKeySpec key(String secret) {
		return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
	}

	/**
	 * What a genuine receipt names.
	 *
	 * @param instance the instance that leased the message
	 * @param process the process of that instance: a restarted instance no longer holds the lease
	 * @param endpoint the endpoint's path
	 * @param backend the backend's index
	 * @param key the lease
	 */
	record Receipt(String instance, String process, String endpoint, int backend, LeaseBook.LeaseKey key) {
	}

}
