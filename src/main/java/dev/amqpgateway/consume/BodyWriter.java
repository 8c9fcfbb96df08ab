package dev.amqpgateway.consume;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Writes a response body and tells whether every byte of it reached the client's connection, the
 * moment after which a message it carries may be acknowledged.
 *
 * <p>{@link ServerHttpResponse#writeWith} alone cannot tell. Handed a {@code Mono}, Reactor Netty
 * keeps the buffer as a full response and completes the returned {@code Mono} before writing it
 * ({@code HttpServerOperations#send} completes and leaves the write to
 * {@code onOutboundComplete}), so a body larger than the socket buffers was still being written
 * when its message was acknowledged. Handed a {@code Flux}, the write completes once Netty has
 * written the last buffer to the socket ({@code MonoSendMany} waits for every write promise); but a
 * connection that closes mid-write completes it too, without an error. So the body goes as a
 * {@code Flux}, and the connection must still be open when its write completes.
 */
final class BodyWriter {

	private static final Log logger = LogFactory.getLog(BodyWriter.class);

	private BodyWriter() {
	}

	/**
	 * Write a body in full.
	 * @param response the response, its status and headers set
	 * @param body the bytes to write
	 * @return true once every byte was written to the connection; false when the connection closed
	 * first; an error when the write failed
	 */
	static Mono<Boolean> write(ServerHttpResponse response, byte[] body) {
		return response.writeWith(Flux.just(response.bufferFactory().wrap(body)))
			.then(Mono.fromCallable(() -> stillOpen(response)));
	}

	private static boolean stillOpen(ServerHttpResponse response) {
		if (nativeOf(response) instanceof Connection connection) {
			boolean open = connection.channel().isActive();
			if (!open && logger.isDebugEnabled()) {
				logger.debug("The client left while its response was written: " + connection.channel());
			}
			return open;
		}
		// Not on Reactor Netty (a mock server, say): the completed write is all there is to know.
		return true;
	}

	private static @Nullable Object nativeOf(ServerHttpResponse response) {
		try {
			return ServerHttpResponseDecorator.getNativeResponse(response);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			return null;
		}
	}

}
