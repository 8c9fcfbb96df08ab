package dev.amqpgateway.http;

import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Writes a response body and tells whether every byte of it reached the client's connection, the
 * moment after which a message it carries may be acknowledged: the write promise of the response's
 * last part, as {@link WriteCompletion} reports it, or the connection closing first.
 */
final class BodyWriter {

	private BodyWriter() {
	}

	/**
	 * Write a body in full.
	 * @param response the response, its status and headers set
	 * @param body the bytes to write
	 * @return true once every byte was written to the connection; false when the write failed or
	 * the connection closed first; an error when the response could not be sent at all
	 */
	static Mono<Boolean> write(ServerHttpResponse response, byte[] body) {
		Channel channel = channelOf(response);
		if (channel == null) {
			// Not on Reactor Netty (a mock server, say): the completed write is all there is to know.
			return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body))).thenReturn(true);
		}
		Sinks.One<Boolean> written = Sinks.one();
		Consumer<Boolean> listener = (success) -> written.tryEmitValue(success);
		ChannelFutureListener closed = (future) -> written.tryEmitValue(false);
		return Mono.defer(() -> {
			channel.attr(WriteCompletion.LISTENER).set(listener);
			channel.closeFuture().addListener(closed);
			return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)))
				.then(written.asMono());
		}).doFinally((signal) -> {
			channel.attr(WriteCompletion.LISTENER).compareAndSet(listener, null);
			channel.closeFuture().removeListener(closed);
		});
	}

	static @Nullable Channel channelOf(ServerHttpResponse response) {
		try {
			return (ServerHttpResponseDecorator.getNativeResponse(response) instanceof Connection connection)
					? connection.channel() : null;
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			return null;
		}
	}

}
