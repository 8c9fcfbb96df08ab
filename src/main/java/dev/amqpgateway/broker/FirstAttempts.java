package dev.amqpgateway.broker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;

/**
 * Waits for the first connection attempts of a role's channels at startup, so that a reachable
 * broker has its topology declared before the first request; a broker that is down, or slower
 * than the wait, is left reconnecting in the background.
 */
public final class FirstAttempts {

	private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);

	private FirstAttempts() {
	}

	/**
	 * Wait for the attempts, at most 30 seconds.
	 * @param attempts each completes once its channel's first attempt succeeded or failed
	 * @param logger where a timeout is reported
	 */
	public static void await(List<CompletableFuture<Void>> attempts, Log logger) {
		try {
			CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new))
				.get(STARTUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			logger.warn("Some brokers did not answer within " + STARTUP_WAIT.toSeconds()
					+ "s; starting anyway while they keep connecting");
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
