package dev.amqpgateway.security;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Roles and scopes read from a token's claims: a space-separated string or a list, by name or
 * by a dotted path into nested claims.
 */
class ClaimsTests {

	@Test
	void aStringClaimIsSplitAtWhitespace() {
		assertThat(Claims.values(Map.of("scope", "  orders:read\torders:write  profile "), "scope"))
			.containsExactly("orders:read", "orders:write", "profile");
		assertThat(Claims.values(Map.of("scope", "bench"), "scope")).containsExactly("bench");
		assertThat(Claims.values(Map.of("scope", "   "), "scope")).isEmpty();
	}

	@Test
	void aListClaimIsTakenAsItIs() {
		assertThat(Claims.values(Map.of("roles", List.of("reader", "admin")), "roles")).containsExactly("reader", "admin");
	}

	@Test
	void aDottedKeyIsAPathUnlessAClaimHasTheWholeName() {
		Map<String, Object> claims = Map.of("realm_access", Map.of("roles", List.of("reader")));
		assertThat(Claims.values(claims, "realm_access.roles")).containsExactly("reader");
		assertThat(Claims.values(Map.of("realm_access.roles", "flat"), "realm_access.roles")).containsExactly("flat");
		assertThat(Claims.values(claims, "realm_access.groups")).isEmpty();
	}

}
