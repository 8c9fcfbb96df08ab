package dev.amqpgateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A TCP proxy on the loopback interface in front of a real server (the test broker), for fault
 * tests: it forwards connections while {@link #open() open}, and can {@link #refuse()} new ones,
 * {@link #blackhole()} them (accept and never answer, as a hung server or a dropped route does),
 * {@link #stall()} or {@link #partition()} the live ones and {@link #cut()} them, in any order and
 * as often as a test likes.
 *
 * <pre>
 * try (TcpProxy proxy = TcpProxy.to(TestBroker.host(), TestBroker.port())) {
 *     String url = TestBroker.urlFor(proxy.port());
 *     proxy.refuse().cut();   // the broker is down
 *     proxy.open();           // and back
 * }
 * </pre>
 *
 * <p>{@link #tls(SSLContext, boolean, String, int)} makes a TLS-terminating proxy: clients speak
 * TLS to it, the server behind it sees plain TCP.
 *
 * <p>Bounded and meant for the few connections a gateway opens, not for load: one accepting
 * thread, two small daemon threads per forwarded connection (one per direction) and one per held
 * connection (to notice when its client gives up). Refusing accepts and closes at once (with a
 * reset) rather than closing the listener, so the port stays the proxy's for its whole life.
 */
public final class TcpProxy implements AutoCloseable {

	private static final long STACK_SIZE = 128 * 1024;

	private static final int UPSTREAM_CONNECT_TIMEOUT_MILLIS = 2000;

	private final ServerSocket server;

	private final InetSocketAddress upstream;

	private final Set<Socket> live = ConcurrentHashMap.newKeySet();

	private final AtomicInteger forwarded = new AtomicInteger();

	private final List<Instant> accepted = new CopyOnWriteArrayList<>();

	private volatile Mode mode = Mode.OPEN;

	/** While set, nothing the upstream sends reaches the clients of live connections. */
	private volatile boolean stalled;

	/** While set, nothing the clients of live connections send reaches the upstream either. */
	private volatile boolean partitioned;

	private TcpProxy(ServerSocket server, String host, int port) {
		this.server = server;
		this.upstream = new InetSocketAddress(host, port);
		Thread acceptor = new Thread(null, this::accept, "tcp-proxy-" + port() + "-accept", STACK_SIZE);
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * A plain TCP proxy to a server, open.
	 * @param host host of the server
	 * @param port port of the server
	 * @return the proxy, listening on an ephemeral port of 127.0.0.1
	 */
	public static TcpProxy to(String host, int port) {
		try {
			return new TcpProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), host, port);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A plain TCP proxy to a server, open, on a port of 127.0.0.1 that the caller chose: one it
	 * holds bound (with {@code SO_REUSEADDR}) and never listens on, say, so that connections to it
	 * were refused, as by a server that is not running, until this proxy listens there.
	 * @param host host of the server
	 * @param port port of the server
	 * @param listenPort the port to listen on
	 * @return the proxy, listening on the given port of 127.0.0.1
	 */
	public static TcpProxy to(String host, int port, int listenPort) {
		try {
			ServerSocket server = new ServerSocket();
			server.setReuseAddress(true);
			server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 50);
			return new TcpProxy(server, host, port);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A TLS-terminating proxy to a plain TCP server, open.
	 * @param context the proxy's TLS context, with the server certificate (and the trust to check clients)
	 * @param needClientAuth whether clients must present a certificate the context trusts
	 * @param host host of the server
	 * @param port port of the server
	 * @return the proxy, listening on an ephemeral port of 127.0.0.1
	 */
	public static TcpProxy tls(SSLContext context, boolean needClientAuth, String host, int port) {
		try {
			SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
				.createServerSocket(0, 50, InetAddress.getLoopbackAddress());
			server.setNeedClientAuth(needClientAuth);
			return new TcpProxy(server, host, port);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The port the proxy listens on, on 127.0.0.1.
	 * @return the port
	 */
	public int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Forward new connections to the server again; connections cut before stay cut.
	 * @return this proxy
	 */
	public TcpProxy open() {
		this.mode = Mode.OPEN;
		return this;
	}

	/**
	 * Close every new connection at once, as a server that is down does; live ones go on.
	 * @return this proxy
	 */
	public TcpProxy refuse() {
		this.mode = Mode.REFUSE;
		return this;
	}

	/**
	 * Accept new connections and never answer them, until they are cut or the proxy opens:
	 * clients wait for their own timeouts. Live connections go on.
	 * @return this proxy
	 */
	public TcpProxy blackhole() {
		this.mode = Mode.BLACKHOLE;
		return this;
	}

	/**
	 * Hold everything the upstream sends on live connections until {@link #resume()}, as a broker
	 * that hangs mid-conversation does: requests still reach it, no answer comes back.
	 * @return this proxy
	 */
	public TcpProxy stall() {
		this.stalled = true;
		return this;
	}

	/**
	 * Hold everything on live connections, both ways, until {@link #resume()}, as a network that
	 * drops every packet does: the clients' writes succeed, and what they sent meanwhile never
	 * reaches the upstream if the connections are {@link #cut()} before the proxy resumes.
	 * @return this proxy
	 */
	public TcpProxy partition() {
		this.partitioned = true;
		this.stalled = true;
		return this;
	}

	/**
	 * Pass on what either side sent while stalled or partitioned, and everything after; what was
	 * held on connections cut meanwhile is dropped.
	 * @return this proxy
	 */
	public TcpProxy resume() {
		this.partitioned = false;
		this.stalled = false;
		return this;
	}

	/**
	 * Close every live connection, forwarded or held in the black hole, on both sides.
	 * @return this proxy
	 */
	public TcpProxy cut() {
		this.live.forEach(TcpProxy::closeQuietly);
		this.live.clear();
		return this;
	}

	/**
	 * How many connections are open through the proxy now (forwarded or held).
	 * @return the count of client connections
	 */
	public int connections() {
		return (int) this.live.stream().filter((socket) -> socket.getLocalPort() == port()).count();
	}

	/**
	 * The local ports of the proxy's live connections to the server: the peer ports the server
	 * sees (to close one broker-side with {@code rabbitmqctl close_connection}, say).
	 * @return the ports
	 */
	public List<Integer> upstreamPorts() {
		return this.live.stream().filter((socket) -> socket.getLocalPort() != port()).map(Socket::getLocalPort).toList();
	}

	/**
	 * How many connections the proxy has forwarded to the server since it was created.
	 * @return the count
	 */
	public int forwarded() {
		return this.forwarded.get();
	}

	/**
	 * When the proxy accepted each connection since it was created, in order, whatever it did with
	 * it (forwarded, refused or held): the moments clients tried to connect.
	 * @return the instants, oldest first
	 */
	public List<Instant> accepted() {
		return List.copyOf(this.accepted);
	}

	@Override
	public void close() {
		closeQuietly(this.server);
		cut();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				continue;
			}
			this.accepted.add(Instant.now());
			switch (this.mode) {
				case OPEN -> forward(client);
				case BLACKHOLE -> hold(client);
				case REFUSE -> reset(client);
			}
		}
	}

	private void forward(Socket client) {
		Socket server = new Socket();
		try {
			server.connect(this.upstream, UPSTREAM_CONNECT_TIMEOUT_MILLIS);
			// Forward small frames (acknowledgements, heartbeats) at once, as the clients themselves
			// send them: Nagle's algorithm would hold each for the peer's delayed ack.
			server.setTcpNoDelay(true);
			client.setTcpNoDelay(true);
		}
		catch (IOException ex) {
			reset(client);
			closeQuietly(server);
			return;
		}
		this.live.add(client);
		this.live.add(server);
		this.forwarded.incrementAndGet();
		pump(client, server, "up");
		pump(server, client, "down");
	}

	private void hold(Socket client) {
		this.live.add(client);
		// Swallow whatever the client sends, answer nothing, and notice when it gives up.
		pump(client, OutputStream.nullOutputStream(), client, "held");
	}

	private void pump(Socket from, Socket to, String direction) {
		try {
			pump(from, to.getOutputStream(), to, direction);
		}
		catch (IOException ex) {
			closeQuietly(from);
			closeQuietly(to);
			this.live.remove(from);
			this.live.remove(to);
		}
	}

	private void pump(Socket from, OutputStream out, Socket to, String direction) {
		Runnable copy = () -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream()) {
				int read;
				while ((read = in.read(buffer)) != -1) {
					while ((this.stalled && "down".equals(direction)) || (this.partitioned && "up".equals(direction))) {
						Thread.sleep(5);
					}
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// Cut, reset or closed by either side: the pair ends below.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				this.live.remove(from);
				this.live.remove(to);
			}
		};
		Thread thread = new Thread(null, copy, "tcp-proxy-" + port() + "-" + direction, STACK_SIZE);
		thread.setDaemon(true);
		thread.start();
	}

	private static void reset(Socket socket) {
		try {
			socket.setSoLinger(true, 0);
		}
		catch (IOException ex) {
			// Closed below anyway.
		}
		closeQuietly(socket);
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// Already closed.
		}
	}

	private enum Mode {

		OPEN, REFUSE, BLACKHOLE

	}

}
