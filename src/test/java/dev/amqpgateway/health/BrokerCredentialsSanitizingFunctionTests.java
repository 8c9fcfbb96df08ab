package dev.amqpgateway.health;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.SanitizableData;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Masking of broker credentials in actuator output.
 */
class BrokerCredentialsSanitizingFunctionTests {

	private final BrokerCredentialsSanitizingFunction function = new BrokerCredentialsSanitizingFunction();

	@Test
	void masksThePasswordOfABrokerUrlAndKeepsTheRest() {
		assertThat(sanitize("gateway.endpoints[0].backend[0].host[0]", "amqp://app:s3cr%40t@rabbit:5672/orders"))
			.isEqualTo("amqp://app:******@rabbit:5672/orders");
	}

	@Test
	void masksEveryUrlOfAList() {
		assertThat(sanitize("gateway.endpoints[0].backend[0].host", "amqps://a:one@h1:5671,AMQP://b:two@h2"))
			.isEqualTo("amqps://a:******@h1:5671,AMQP://b:******@h2");
	}

	@Test
	void masksBrokerUrlsUnderAnyKey() {
		assertThat(sanitize("sun.java.command", "app.jar --gateway.endpoints[0].backend[0].host[0]=amqp://u:p@h"))
			.isEqualTo("app.jar --gateway.endpoints[0].backend[0].host[0]=amqp://u:******@h");
	}

	@Test
	void leavesUrlsWithoutPasswordAlone() {
		assertThat(sanitize("gateway.endpoints[0].backend[0].host[0]", "amqp://rabbit:5672/orders"))
			.isEqualTo("amqp://rabbit:5672/orders");
		assertThat(sanitize("gateway.endpoints[0].backend[0].host[0]", "amqp://app@rabbit"))
			.isEqualTo("amqp://app@rabbit");
	}

	@Test
	void masksTlsStorePasswordsWhateverTheSpelling() {
		assertThat(sanitize("gateway.endpoints[0].backend[0].tls.trust-store-password", "changeit")).isEqualTo("******");
		assertThat(sanitize("gateway.endpoints[0].backend[0].tls.key_store_password", "changeit")).isEqualTo("******");
		assertThat(sanitize("gateway.endpoints[0].backend[0].tls.keyStorePassword", "changeit")).isEqualTo("******");
		assertThat(sanitize("GATEWAY_ENDPOINTS_0_BACKEND_0_TLS_TRUSTSTOREPASSWORD", "changeit")).isEqualTo("******");
	}

	@Test
	void masksAPemPrivateKeyWrittenInline() {
		String key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
		assertThat(sanitize("spring.ssl.bundle.pem.broker.keystore.private-key", key)).isEqualTo("******");
		assertThat(sanitize("spring.ssl.bundle.pem.broker.keystore.private-key", "file:/etc/gateway/client.key"))
			.isEqualTo("file:/etc/gateway/client.key");
	}

	@Test
	void leavesOtherValuesAlone() {
		assertThat(sanitize("gateway.endpoints[0].backend[0].amqp.consumer.routing_key[0]", "#")).isEqualTo("#");
	}

	private Object sanitize(String key, String value) {
		return this.function.apply(new SanitizableData(null, key, value)).getValue();
	}

}
