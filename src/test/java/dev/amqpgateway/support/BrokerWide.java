package dev.amqpgateway.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Marks a test class that disturbs everyone using the broker: it closes every connection or
 * restarts the broker application. {@code -Dgateway.tests.broker-wide=false} skips such classes on
 * a broker that others share; they are tagged {@code broker-wide} for the same purpose.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag("broker-wide")
@DisabledIfSystemProperty(named = BrokerWide.SWITCH, matches = "false",
		disabledReason = "closes every broker connection or restarts the broker; -D" + BrokerWide.SWITCH + "=false")
public @interface BrokerWide {

	/** The system property that, set to {@code false}, skips broker-wide tests. */
	String SWITCH = "gateway.tests.broker-wide";

}
