package dev.amqpgateway.health;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Health component names for endpoint paths.
 */
class ComponentNamesTests {

	@Test
	void aSingleSegmentPathLosesItsSlash() {
		assertThat(ComponentNames.nameOf("/orders")).isEqualTo("orders");
	}

	@Test
	void nestedSegmentsAreJoinedWithDots() {
		assertThat(ComponentNames.nameOf("/api/v1/orders/")).isEqualTo("api.v1.orders");
	}

	@Test
	void charactersThatNeedEscapingInAUrlBecomeUnderscores() {
		assertThat(ComponentNames.nameOf("/orders/{id} now")).isEqualTo("orders._id__now");
	}

	@Test
	void theRootPathIsNamedRoot() {
		assertThat(ComponentNames.nameOf("/")).isEqualTo("root");
	}

	@Test
	void pathsThatWouldShareANameGetDistinctOnes() {
		assertThat(ComponentNames.of(List.of("/a/b", "/a.b", "/a/b/"))).containsExactly(
				entry("/a/b", "a.b"), entry("/a.b", "a.b~2"),
				entry("/a/b/", "a.b~3"));
	}

}
