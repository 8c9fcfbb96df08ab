import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * The bench's identity provider: a new RSA key, its public half written as a JSON Web Key set for
 * the gateway's {@code jwk_local_path}, and one RS256 token signed with it, valid for a day, printed
 * on standard output. JDK only: what Nimbus would do for a bench that needs one token. Usage:
 * {@code BenchToken <jwks-file> <issuer> <audience>}.
 */
public final class BenchToken {

	private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

	private BenchToken() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length != 3) {
			System.err.println("usage: BenchToken <jwks-file> <issuer> <audience>");
			System.exit(2);
		}
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		KeyPair pair = generator.generateKeyPair();
		RSAPublicKey key = (RSAPublicKey) pair.getPublic();
		Files.writeString(Path.of(args[0]), "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"bench\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\""
				+ unsigned(key.getModulus()) + "\",\"e\":\"" + unsigned(key.getPublicExponent()) + "\"}]}\n");
		long now = Instant.now().getEpochSecond();
		String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"bench\"}";
		String claims = "{\"iss\":\"" + args[1] + "\",\"aud\":\"" + args[2] + "\",\"sub\":\"bench\",\"scope\":\"bench\",\"iat\":"
				+ now + ",\"exp\":" + (now + 86_400) + "}";
		String signingInput = base64(header) + "." + base64(claims);
		Signature signature = Signature.getInstance("SHA256withRSA");
		signature.initSign(pair.getPrivate());
		signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
		System.out.println(signingInput + "." + URL.encodeToString(signature.sign()));
	}

	private static String base64(String json) {
		return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

	// A JWK holds a key's numbers big-endian without the sign byte BigInteger adds.
	private static String unsigned(BigInteger value) {
		byte[] bytes = value.toByteArray();
		return URL.encodeToString((bytes[0] == 0) ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes);
	}

}
