package dev.amqpgateway.consume;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Turns waiting requests away when the gateway shuts down, just before the web server's graceful
 * shutdown begins: they are answered 503 at once instead of holding the shutdown until their
 * timeouts, while responses already being written finish and are acknowledged.
 */
final class ShutdownGate implements SmartLifecycle {

	private final ConsumerBackends backends;

	private volatile boolean running;

	ShutdownGate(ConsumerBackends backends) {
		this.backends = backends;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.backends.refuseRequests();
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stop right before graceful shutdown, which waits for active requests (lifecycles stop from
	 * the highest phase down).
	 */
	@Override
	public int getPhase() {
		return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
	}

}
