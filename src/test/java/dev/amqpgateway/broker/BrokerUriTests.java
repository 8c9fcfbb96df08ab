package dev.amqpgateway.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Broker URLs of a backend's {@code host} list taken apart as KrakenD and the RabbitMQ clients do.
 */
class BrokerUriTests {

	@Test
	void takesEveryPartOfAFullUrl() {
		assertThat(BrokerUri.parse("amqp://orders:pa55@rabbit.example.com:5673/shop"))
			.isEqualTo(new BrokerUri("rabbit.example.com", 5673, "orders", "pa55", "shop", false));
	}

	@Test
	void defaultsToGuestWithoutUserInfo() {
		BrokerUri uri = BrokerUri.parse("amqp://localhost");
		assertThat(uri.username()).isEqualTo("guest");
		assertThat(uri.password()).isEqualTo("guest");
	}

	@Test
	void defaultsThePasswordToGuestWhenOnlyTheUserIsGiven() {
		BrokerUri uri = BrokerUri.parse("amqp://orders@localhost");
		assertThat(uri.username()).isEqualTo("orders");
		assertThat(uri.password()).isEqualTo("guest");
	}

	@Test
	void keepsAnExplicitlyEmptyPassword() {
		assertThat(BrokerUri.parse("amqp://orders:@localhost").password()).isEmpty();
	}

	@Test
	void defaultsToPort5672ForAmqp() {
		BrokerUri uri = BrokerUri.parse("amqp://localhost");
		assertThat(uri.port()).isEqualTo(5672);
		assertThat(uri.tls()).isFalse();
	}

	@Test
	void defaultsToPort5671ForAmqps() {
		BrokerUri uri = BrokerUri.parse("amqps://localhost");
		assertThat(uri.port()).isEqualTo(5671);
		assertThat(uri.tls()).isTrue();
	}

	@Test
	void readsTheSchemeWhateverItsCase() {
		assertThat(BrokerUri.parse("AMQPS://localhost").tls()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "amqp://localhost", "amqp://localhost/", "amqp://localhost:5672/", "amqp://localhost/%2F",
			"amqp://localhost/%2f" })
	void defaultsToTheRootVirtualHost(String url) {
		assertThat(BrokerUri.parse(url).virtualHost()).isEqualTo("/");
	}

	@Test
	void readsANamedVirtualHost() {
		assertThat(BrokerUri.parse("amqp://localhost/orders").virtualHost()).isEqualTo("orders");
	}

	@Test
	void decodesTheVirtualHost() {
		assertThat(BrokerUri.parse("amqp://localhost/%2Forders%20eu").virtualHost()).isEqualTo("/orders eu");
	}

	@Test
	void decodesTheUserAndPassword() {
		BrokerUri uri = BrokerUri.parse("amqp://ops%40eu:p%40ss%3Aw%2Frd%25@localhost");
		assertThat(uri.username()).isEqualTo("ops@eu");
		assertThat(uri.password()).isEqualTo("p@ss:w/rd%");
	}

	@Test
	void keepsAPlusInThePasswordAsAPlus() {
		assertThat(BrokerUri.parse("amqp://user:a+b@localhost").password()).isEqualTo("a+b");
	}

	@Test
	void ignoresSurroundingWhitespace() {
		assertThat(BrokerUri.parse("  amqp://localhost:5673  ").port()).isEqualTo(5673);
	}

	@Test
	void displaysTheUrlWithoutPassword() {
		BrokerUri uri = BrokerUri.parse("amqps://orders:s3cret@rabbit.example.com/shop");
		assertThat(uri.display()).isEqualTo("amqps://orders@rabbit.example.com:5671/shop");
	}

	@Test
	void displaysTheRootVirtualHostAsNoPath() {
		assertThat(BrokerUri.parse("amqp://orders:s3cret@localhost/").display())
			.isEqualTo("amqp://orders@localhost:5672");
	}

	@ParameterizedTest
	@ValueSource(strings = { "amqp://user:Pw0rd@localhost", "amqps://user:Pw0rd@localhost:5671/shop",
			"amqp://user:Pw%2F0rd%40@localhost/%2F" })
	void neverDisplaysThePassword(String url) {
		BrokerUri uri = BrokerUri.parse(url);
		assertThat(uri.display()).doesNotContain("Pw");
		assertThat(uri).hasToString(uri.display());
	}

}
