package dev.amqpgateway.http;

import java.util.Queue;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import reactor.netty.NettyPipeline;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;

/**
 * Tells a response's writer when the last part of that response has been written to the socket,
 * or failed to be: the moment its messages may be acknowledged.
 *
 * <p>Neither WebFlux nor Reactor Netty says so. A single-buffer body completes its write signal
 * before the full response is even written ({@code HttpServerOperations#send} completes and leaves
 * the write to {@code onOutboundComplete}), and a multi-buffer body completes it without an error
 * when the connection closes mid-write, at the price of writing and flushing the headers on their
 * own. This handler, in every connection's pipeline, listens to the write promise of the message
 * that ends a response ({@link LastHttpContent}, which a full response is too) when a writer asked
 * for it, so the body still goes out in one write.
 */
@ChannelHandler.Sharable
final class WriteCompletion extends ChannelOutboundHandlerAdapter {

	/** The listener of the response being written on a channel: one at a time, HTTP/1.1 answers in order. */
	static final AttributeKey<Consumer<Boolean>> LISTENER = AttributeKey.valueOf("amqp-gateway.write-completion");

	/**
	 * The listeners of a stream's parts, in the order the parts are handed to the connection: each
	 * part of a streamed body (a server-sent event) is told when its bytes were written, or failed.
	 */
	static final AttributeKey<Queue<Consumer<Boolean>>> PART_LISTENERS = AttributeKey
		.valueOf("amqp-gateway.part-listeners");

	static final WriteCompletion INSTANCE = new WriteCompletion();

	private static final String NAME = "amqp-gateway.writeCompletion";

	private WriteCompletion() {
	}

	/**
	 * Puts the handler in every connection's pipeline, in front of Reactor Netty's bridge to the
	 * application, so that it sees responses before they are encoded.
	 * @return the customizer
	 */
	static NettyServerCustomizer customizer() {
		return (server) -> server.doOnChannelInit(
				(observer, channel, remoteAddress) -> channel.pipeline().addBefore(NettyPipeline.ReactiveBridge, NAME, INSTANCE));
	}

	@Override
	public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
		boolean part = message instanceof ByteBuf
				|| (message instanceof HttpContent && !(message instanceof LastHttpContent));
		Queue<Consumer<Boolean>> parts = part ? context.channel().attr(PART_LISTENERS).get() : null;
		Consumer<Boolean> partListener = (parts != null) ? parts.poll() : null;
		if (partListener != null) {
			context.write(message, watched(context, promise, partListener));
			return;
		}
		if (message instanceof LastHttpContent) {
			Consumer<Boolean> listener = context.channel().attr(LISTENER).getAndSet(null);
			if (listener != null) {
				ChannelPromise watched = promise.unvoid();
				watched.addListener((future) -> listener.accept(future.isSuccess()));
				context.write(message, watched);
				return;
			}
		}
		context.write(message, promise);
	}

	/**
	 * A promise of its own for one part, passed on to the writer's: a stream's parts share one
	 * promise object when Reactor Netty writes them from a {@code Flux} (its sender is the promise of
	 * every part it writes, and takes no listeners), so the writer's promise cannot carry the part's
	 * listener.
	 */
	private static ChannelPromise watched(ChannelHandlerContext context, ChannelPromise promise,
			Consumer<Boolean> partListener) {
		ChannelPromise watched = context.newPromise();
		watched.addListener((future) -> {
			partListener.accept(future.isSuccess());
			if (future.isSuccess()) {
				promise.trySuccess();
			}
			else {
				promise.tryFailure(future.cause());
			}
		});
		return watched;
	}

}
