package dev.amqpgateway.agent;

import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Every async agent: started once the queues are consumed and declared, stopped before them, so
 * that the messages being sent at shutdown are still settled on their channels.
 */
public class AsyncAgents implements SmartLifecycle, DisposableBean {

	private static final Log logger = LogFactory.getLog(AsyncAgents.class);

	private final List<Agent> agents;

	private final Duration grace;

	private final List<ConnectionProvider> pools;

	private volatile boolean running;

	AsyncAgents(List<Agent> agents, Duration grace, List<ConnectionProvider> pools) {
		this.agents = agents;
		this.grace = grace;
		this.pools = pools;
	}

	/**
	 * Every agent, in configuration order.
	 * @return the agents
	 */
	public List<Agent> all() {
		return this.agents;
	}

	@Override
	public void start() {
		this.agents.forEach(Agent::start);
		this.running = true;
	}

	@Override
	public void stop() {
		stop(() -> {
		});
	}

	/**
	 * Stop taking messages and let the messages in flight finish, for at most the grace period;
	 * whatever is still unsettled then goes back to the queue when its channel closes.
	 */
	@Override
	public void stop(Runnable callback) {
		this.running = false;
		Flux.fromIterable(this.agents)
			.flatMap(Agent::stop)
			.then()
			.timeout(this.grace)
			.doFinally((signal) -> callback.run())
			.subscribe(null, (ex) -> logger.warn("Async agents still had messages in flight after " + this.grace.toMillis()
					+ " ms; they go back to their queues"));
	}

	/**
	 * Close the agents' HTTP connections, once they are stopped.
	 */
	@Override
	public void destroy() {
		this.pools.forEach(ConnectionProvider::dispose);
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Above the consumer backends, which start before and stop after the agents.
	 */
	@Override
	public int getPhase() {
		return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE;
	}

}
