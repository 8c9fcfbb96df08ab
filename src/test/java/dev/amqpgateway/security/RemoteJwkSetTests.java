package dev.amqpgateway.security;

import java.net.URI;
import java.text.ParseException;
import java.time.Duration;

import com.nimbusds.jwt.SignedJWT;
import dev.amqpgateway.support.JwkServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A key set fetched from a URL: an identity provider that is down is logged once, not for every
 * token, and once again when it is back.
 */
@ExtendWith(OutputCaptureExtension.class)
class RemoteJwkSetTests {

	private final JwkServer keys = JwkServer.start();

	@AfterEach
	void stop() {
		this.keys.close();
	}

	@Test
	void anUnreachableSetIsLoggedOnceAndItsReturnOnce(CapturedOutput output) throws ParseException {
		// without cache: every token fetches the set
		RemoteJwkSet set = new RemoteJwkSet(WebClient.create(), URI.create(this.keys.url()), Duration.ZERO);
		SignedJWT token = SignedJWT.parse(this.keys.sign(JwkServer.claims()));
		assertThat(set.keysFor(token).collectList().block()).hasSize(1);
		this.keys.available(false);
		for (int i = 0; i < 5; i++) {
			assertThatException().isThrownBy(() -> set.keysFor(token).collectList().block());
		}
		this.keys.available(true);
		for (int i = 0; i < 3; i++) {
			assertThat(set.keysFor(token).collectList().block()).hasSize(1);
		}
		assertThat(this.keys.fetches()).isEqualTo(9);
		assertThat(occurrences(output.getOut(), "cannot be fetched")).isOne();
		assertThat(occurrences(output.getOut(), "is fetched again")).isOne();
		assertThat(output.getOut()).contains(this.keys.url());
	}

	private static int occurrences(String text, String part) {
		return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
	}

}
