package dev.amqpgateway.config;

import java.time.Duration;
import java.util.List;

import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The receipts of endpoints with {@code ack_mode: lease}.
 *
 * @param secret the key receipts are signed with; required when an endpoint leases
 * @param previousSecrets keys receipts signed earlier are still accepted with, while a key is rotated
 * @param brokerConsumerTimeout the broker's {@code consumer_timeout}: a lease never lasts longer,
 * counted from the delivery, since the broker closes a channel with a delivery unacknowledged that long
 * @param instance the name of this gateway instance, in every receipt and every answer's
 * {@code X-Gateway-Instance} header; the host name when unset
 */
public record LeaseSettings(@Nullable String secret, @DefaultValue List<String> previousSecrets,
		@DefaultValue("30m") @DurationMin(seconds = 10, message = "must be at least 10s, such as 30m") Duration brokerConsumerTimeout,
		@Nullable String instance) {

	/**
	 * The settings without the secrets.
	 */
	@Override
	public String toString() {
		return "LeaseSettings[secret=" + ((this.secret != null) ? "******" : null) + ", previousSecrets="
				+ ((this.previousSecrets != null) ? this.previousSecrets.size() : 0) + " key(s), brokerConsumerTimeout="
				+ this.brokerConsumerTimeout + ", instance=" + this.instance + "]";
	}

	/**
	 * The longest a message may stay leased, counted from its delivery: the broker's consumer
	 * timeout less a margin (a tenth of it, at least five seconds and at most a minute), so that the
	 * gateway requeues an expired lease before the broker closes the channel over it.
	 * @return the cap
	 */
	public Duration leaseCap() {
		Duration margin = this.brokerConsumerTimeout.dividedBy(10);
		margin = (margin.compareTo(Duration.ofSeconds(5)) < 0) ? Duration.ofSeconds(5)
				: (margin.compareTo(Duration.ofMinutes(1)) > 0) ? Duration.ofMinutes(1) : margin;
		Duration cap = this.brokerConsumerTimeout.minus(margin);
		return cap.isNegative() || cap.isZero() ? Duration.ofSeconds(1) : cap;
	}

}
