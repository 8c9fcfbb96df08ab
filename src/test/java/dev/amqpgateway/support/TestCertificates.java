package dev.amqpgateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority for TLS tests, made once per test run with the JDK's
 * {@code keytool}: a CA, server certificates it signed, a client certificate, and a trust store
 * holding only the CA (which no JVM trusts by default); and another CA that signed nothing of
 * this. Everything is PKCS12 with one password; the CA certificates are also given in PEM.
 */
public final class TestCertificates {

	/** Password of every store. */
	public static final String PASSWORD = "test-store-secret";

	private static final String CA = "ca";

	private static final String OTHER_CA = "other-ca";

	private static TestCertificates instance;

	private final Path directory;

	private TestCertificates(Path directory) {
		this.directory = directory;
	}

	/**
	 * The certificates of this test run, made on first use (a few seconds of keytool).
	 * @return the certificates
	 */
	public static synchronized TestCertificates get() {
		if (instance == null) {
			try {
				Path directory = Files.createTempDirectory("amqp-gateway-tls-");
				directory.toFile().deleteOnExit();
				instance = new TestCertificates(directory);
				instance.generate();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return instance;
	}

	/**
	 * A trust store with the test CA only.
	 * @return a {@code file:} location for the gateway's {@code trust_store}
	 */
	public String trustStore() {
		return location("trust.p12");
	}

	/**
	 * A key store with the client certificate the CA signed, and its chain.
	 * @return a {@code file:} location for the gateway's {@code key_store}
	 */
	public String clientKeyStore() {
		return location("client-chain.p12");
	}

	/**
	 * The test CA's certificate, the issuer of every server and client certificate here.
	 * @return the certificate in PEM, for a PEM SSL bundle's {@code truststore.certificate}
	 */
	public String caCertificate() {
		return pem(CA);
	}

	/**
	 * The certificate of another CA, which issued none of the certificates here: trusting it
	 * alone, a client refuses every server of this test run.
	 * @return the certificate in PEM
	 */
	public String otherCaCertificate() {
		return pem(OTHER_CA);
	}

	private String pem(String ca) {
		try {
			byte[] der = load(ca + ".p12").getCertificate(ca).getEncoded();
			return "-----BEGIN CERTIFICATE-----\n"
					+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
					+ "\n-----END CERTIFICATE-----\n";
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The TLS context of a server whose certificate names {@code localhost} and {@code 127.0.0.1}.
	 * @return a context for {@link TcpProxy#tls}, trusting client certificates of the CA
	 */
	public SSLContext localhost() {
		return serverContext("localhost");
	}

	/**
	 * The TLS context of a server whose certificate, signed by the same CA, names only
	 * {@code elsewhere.example}: trusted, but not for 127.0.0.1.
	 * @return a context for {@link TcpProxy#tls}
	 */
	public SSLContext elsewhere() {
		return serverContext("elsewhere");
	}

	private SSLContext serverContext(String name) {
		try {
			KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keys.init(load(name + "-chain.p12"), PASSWORD.toCharArray());
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(load("trust.p12"));
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void generate() throws IOException {
		List<String> leaves = List.of("localhost", "elsewhere", "client");
		List<List<String>> keyPairs = new ArrayList<>();
		keyPairs.add(List.of("-genkeypair", "-alias", CA, "-dname", "CN=amqp-gateway test CA", "-ext", "bc:c",
				"-keystore", file(CA + ".p12")));
		keyPairs.add(List.of("-genkeypair", "-alias", OTHER_CA, "-dname", "CN=amqp-gateway other test CA", "-ext",
				"bc:c", "-keystore", file(OTHER_CA + ".p12")));
		leaves.forEach((leaf) -> keyPairs.add(List.of("-genkeypair", "-alias", leaf, "-dname", "CN=" + leaf,
				"-keystore", file(leaf + ".p12"))));
		keytool(keyPairs);
		keytool(leaves.stream()
			.map((leaf) -> List.of("-certreq", "-alias", leaf, "-keystore", file(leaf + ".p12"), "-file",
					file(leaf + ".csr")))
			.toList());
		keytool(leaves.stream()
			.map((leaf) -> List.of("-gencert", "-alias", CA, "-keystore", file(CA + ".p12"), "-infile",
					file(leaf + ".csr"), "-outfile", file(leaf + ".pem"), "-rfc", "-ext", extensionOf(leaf)))
			.toList());
		try {
			Certificate ca = load(CA + ".p12").getCertificate(CA);
			KeyStore trust = emptyStore();
			trust.setCertificateEntry(CA, ca);
			store(trust, "trust.p12");
			for (String leaf : leaves) {
				Key key = load(leaf + ".p12").getKey(leaf, PASSWORD.toCharArray());
				Certificate signed;
				try (InputStream in = Files.newInputStream(this.directory.resolve(leaf + ".pem"))) {
					signed = CertificateFactory.getInstance("X.509").generateCertificate(in);
				}
				KeyStore chain = emptyStore();
				chain.setKeyEntry(leaf, key, PASSWORD.toCharArray(), new Certificate[] { signed, ca });
				store(chain, leaf + "-chain.p12");
			}
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String extensionOf(String leaf) {
		return switch (leaf) {
			case "localhost" -> "san=dns:localhost,ip:127.0.0.1";
			case "elsewhere" -> "san=dns:elsewhere.example";
			default -> "eku=clientAuth";
		};
	}

	/**
	 * Run keytool commands in parallel, each with the common options, and wait for all of them.
	 */
	private static void keytool(List<List<String>> commands) throws IOException {
		String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
		List<Process> processes = new ArrayList<>();
		for (List<String> command : commands) {
			List<String> line = new ArrayList<>(List.of(keytool));
			line.addAll(command);
			line.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
			if ("-genkeypair".equals(command.get(0))) {
				line.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
			}
			if ("-gencert".equals(command.get(0))) {
				line.addAll(List.of("-validity", "2"));
			}
			processes.add(new ProcessBuilder(line).redirectErrorStream(true).start());
		}
		for (int i = 0; i < processes.size(); i++) {
			Process process = processes.get(i);
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			try {
				if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
					throw new IllegalStateException("keytool " + commands.get(i) + " failed: " + output);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	private KeyStore load(String name) throws IOException, GeneralSecurityException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(this.directory.resolve(name))) {
			store.load(in, PASSWORD.toCharArray());
		}
		return store;
	}

	private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		return store;
	}

	private void store(KeyStore store, String name) throws IOException, GeneralSecurityException {
		Path path = this.directory.resolve(name);
		try (OutputStream out = Files.newOutputStream(path)) {
			store.store(out, PASSWORD.toCharArray());
		}
		path.toFile().deleteOnExit();
	}

	private String file(String name) {
		Path path = this.directory.resolve(name);
		path.toFile().deleteOnExit();
		return path.toString();
	}

	private String location(String name) {
		return this.directory.resolve(name).toUri().toString();
	}

}
