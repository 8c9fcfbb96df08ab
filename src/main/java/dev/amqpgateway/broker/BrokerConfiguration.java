package dev.amqpgateway.broker;

import dev.amqpgateway.config.GatewayProperties;

import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The brokers of the configuration and the scheduler their reconnects run on.
 */
@Configuration(proxyBeanMethods = false)
class BrokerConfiguration {

	@Bean
	Brokers brokers(GatewayProperties properties, SslBundles sslBundles, ApplicationContext context) {
		return new Brokers(properties, sslBundles, context);
	}

	@Bean
	TaskScheduler reconnectScheduler() {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setPoolSize(2);
		scheduler.setThreadNamePrefix("gateway-reconnect-");
		scheduler.setDaemon(true);
		return scheduler;
	}

}
