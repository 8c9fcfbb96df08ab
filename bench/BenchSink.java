import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.LongAdder;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * bench/agent's HTTP backend: answers every POST 200 with an empty body as soon as its body has
 * arrived. POSTs to {@code /sink} are the agent's: {@code GET /count} answers how many were
 * answered so far (also printed at exit); {@code GET /hold} makes it hold those that come from
 * then on unanswered, and {@code GET /release} answers them and every later one at once again.
 * POSTs to any other path (wrk's, which counts its own) are answered at once and not counted. Plain Netty, not the JDK's
 * {@code com.sun.net.httpserver}: measured alone with wrk (8 connections, 1 KiB POSTs), Netty
 * answered 78,000 requests/s at 11 µs of CPU each, the JDK's server 27,000 at 24 µs (its
 * dispatcher thread) or 38 µs (a pool of four). Usage: {@code BenchSink <port> [event loops, default 1]}.
 */
public final class BenchSink {

	private static final LongAdder posts = new LongAdder();

	/** Guards {@link #holding} changes and {@link #held}, so that release never leaves one behind. */
	private static final Object holdLock = new Object();

	private static volatile boolean holding;

	private static final Queue<ChannelHandlerContext> held = new ArrayDeque<>();

	private BenchSink() {
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		int loops = (args.length > 1) ? Integer.parseInt(args[1]) : 1;
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
		Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("posts to /sink answered: " + posts.sum())));
		Channel server = new ServerBootstrap().group(group)
			.channel(NioServerSocketChannel.class)
			.option(ChannelOption.SO_BACKLOG, 1024)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel channel) {
					channel.pipeline().addLast(new HttpServerCodec(), new Answer());
				}

			})
			.bind(new InetSocketAddress("127.0.0.1", port))
			.sync()
			.channel();
		System.out.println("listening on 127.0.0.1:" + port + " with " + loops + " event loop(s)");
		server.closeFuture().sync();
	}

	/**
	 * Answers each request once its last content arrived; writes are flushed once per read batch.
	 * Connections are kept alive (the agent's client and wrk ask for it).
	 */
	private static final class Answer extends SimpleChannelInboundHandler<HttpObject> {

		private boolean post;

		/** Whether the request is the agent's: counted, and held while the sink holds. */
		private boolean holdable;

		private String uri = "";

		@Override
		protected void channelRead0(ChannelHandlerContext context, HttpObject message) {
			if (message instanceof HttpRequest request) {
				this.post = request.method() == HttpMethod.POST;
				this.uri = request.uri();
				this.holdable = this.uri.equals("/sink");
			}
			if (!(message instanceof LastHttpContent)) {
				return;
			}
			if (this.post) {
				if (!this.holdable) {
					answer(context, Unpooled.EMPTY_BUFFER, false);
				}
				else if (!holding || !held(context)) {
					posts.increment();
					answer(context, Unpooled.EMPTY_BUFFER, false);
				}
				return;
			}
			switch (this.uri) {
				case "/hold" -> holding = true;
				case "/release" -> release();
				default -> {
				}
			}
			answer(context, Unpooled.copiedBuffer(posts.sum() + "\n", StandardCharsets.US_ASCII), false);
		}

		private static boolean held(ChannelHandlerContext context) {
			synchronized (holdLock) {
				if (holding) {
					held.add(context);
				}
				return holding;
			}
		}

		private static void release() {
			synchronized (holdLock) {
				holding = false;
				for (ChannelHandlerContext context; (context = held.poll()) != null;) {
					ChannelHandlerContext waiting = context;
					posts.increment();
					waiting.executor().execute(() -> answer(waiting, Unpooled.EMPTY_BUFFER, true));
				}
			}
		}

		private static void answer(ChannelHandlerContext context, ByteBuf body, boolean flush) {
			FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
			response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
			if (flush) {
				context.writeAndFlush(response);
			}
			else {
				context.write(response);
			}
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext context) {
			context.flush();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			context.close();
		}

	}

}
