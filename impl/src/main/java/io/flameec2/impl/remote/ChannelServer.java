package io.flameec2.impl.remote;

import io.flameec2.impl.channel.ChannelTls;
import io.flameec2.impl.channel.Connection;
import io.flameec2.impl.channel.EventLoops;
import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import io.flameec2.impl.channel.JoinRequest;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The parent's end of the runner channels: one TLS 1.3 listener per JVM and bind address, shared by all
 * pools ({@link #acquire}/{@link #release} count its users), where every runner opens its one connection and
 * joins with its one-time token.
 *
 * <p>Before a connection has joined, nothing from it is deserialized: its frames may be at most
 * {@link Frames#MAX_JOIN_FRAME} bytes and the join is plain fields ({@link JoinRequest}). Such connections
 * are limited in time (TLS handshake and join within {@code flame.channel.join-timeout}, else closed) and in
 * number (beyond {@code flame.channel.max-unauthenticated}, the oldest is closed, so a flood of half-open
 * connections cannot lock a real runner out). A join is refused, and the connection closed, for an unknown
 * runner, a wrong, used or expired token, an address the runner was not launched at, or another application
 * version (which also fails that runner's boot).
 */
public final class ChannelServer {

    private static final Logger LOG = Logger.getLogger(ChannelServer.class.getName());
    private static final Map<String, ChannelServer> SHARED = new HashMap<>();

    private final String key;
    private final RemoteSettings settings;
    private final EventLoopGroup loops;
    private final ChannelTls.ParentIdentity identity;
    private final Channel listener;
    private final String advertised;
    private final Map<String, PendingJoin> pending = new ConcurrentHashMap<>();
    private final LinkedHashSet<Channel> unauthenticated = new LinkedHashSet<>();
    private final long maxMessage;
    private int users;

    private ChannelServer(String key, RemoteSettings settings, ThreadFactory threads) throws IOException {
        this.key = key;
        this.settings = settings;
        this.identity = ChannelTls.parentIdentity();
        // a reply is at most max-bytes (the runner's codec enforces it) plus the envelope
        this.maxMessage = settings.filter().maxBytes() + 64 * 1024;
        this.loops = EventLoops.group(Math.min(2, Runtime.getRuntime().availableProcessors()), threads);
        ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(EventLoops.serverChannel(loops))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        admit(ch);
                    }
                });
        try {
            listener = bootstrap.bind(new InetSocketAddress(settings.parentHost(), settings.parentPort()))
                    .syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("cannot bind the flame parent channel to " + key + " (" + RemoteSettings.PARENT_HOST
                    + ", " + RemoteSettings.PARENT_PORT + "): " + e.getMessage(), e);
        }
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        this.advertised = settings.parentUrl()
                .map(u -> hostLiteral(u.getHost()) + ":" + (u.getPort() > 0 ? u.getPort() : port))
                .orElseGet(() -> advertisedHost(((InetSocketAddress) listener.localAddress()).getAddress()) + ":" + port);
    }

    /**
     * The server for these settings, started on first use.
     *
     * @param settings where to bind and what to advertise
     * @param threads where event loop threads come from
     * @return the server; {@link #release} it when done
     * @throws IOException when the address cannot be bound
     */
    public static ChannelServer acquire(RemoteSettings settings, ThreadFactory threads) throws IOException {
        String key = settings.parentHost() + ":" + settings.parentPort();
        synchronized (SHARED) {
            ChannelServer s = SHARED.get(key);
            if (s == null) {
                s = new ChannelServer(key, settings, threads);
                SHARED.put(key, s);
                ChannelServer started = s;
                LOG.info(() -> "flame parent channel listening on " + started.listener.localAddress()
                        + " (TLS 1.3, certificate SHA-256 " + started.fingerprint() + "), advertised to runners as "
                        + started.advertised);
            }
            s.users++;
            return s;
        }
    }

    /** Gives the server back; the last user stops it. */
    public void release() {
        synchronized (SHARED) {
            if (--users > 0) {
                return;
            }
            SHARED.remove(key);
        }
        listener.close();
        pending.values().forEach(p -> p.joined.completeExceptionally(
                new IllegalStateException("the parent channel was closed")));
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        LOG.info(() -> "flame parent channel " + advertised + " stopped");
    }

    /**
     * Where runners connect: {@code host:port} ({@code FLAME_PARENT_ADDRESS}).
     *
     * @return the address
     */
    public String advertisedAddress() {
        return advertised;
    }

    /**
     * Where a pool's runners connect: its own {@code flame.parent.url} when it has one (an {@code ec2} pool's may
     * be the instance's private address from {@code auto-configure}, while the listener is shared with pools
     * that advertise another), else {@link #advertisedAddress()}.
     *
     * @param parentUrl the pool's parent URL; without a port, this listener's port
     * @return {@code host:port}
     */
    public String advertisedAddress(Optional<URI> parentUrl) {
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        return parentUrl.map(u -> hostLiteral(u.getHost()) + ":" + (u.getPort() > 0 ? u.getPort() : port))
                .orElse(advertised);
    }

    /**
     * The SHA-256 fingerprint of this JVM's certificate ({@code FLAME_PARENT_FINGERPRINT}).
     *
     * @return lower-case hex
     */
    public String fingerprint() {
        return identity.fingerprint();
    }

    /**
     * The largest message a runner may send (a reply).
     *
     * @return bytes
     */
    long maxMessage() {
        return maxMessage;
    }

    /**
     * Expects a runner's join.
     *
     * @param runnerId the runner
     * @param token its one-time token
     * @param expiresNanos {@link System#nanoTime()} after which the token is void
     * @param appVersion the version it must run
     * @return the pending join; tell it {@link PendingJoin#launched} once launched
     */
    PendingJoin expect(String runnerId, String token, long expiresNanos, String appVersion) {
        PendingJoin p = new PendingJoin(runnerId, token, expiresNanos, appVersion);
        if (pending.putIfAbsent(runnerId, p) != null) {
            throw new IllegalStateException("runner " + runnerId + " is already expected");
        }
        p.joined.whenComplete((r, e) -> pending.remove(runnerId, p));
        return p;
    }

    /**
     * Stops expecting a runner (its boot failed or was given up); a late join is refused.
     *
     * @param runnerId the runner
     */
    void forget(String runnerId) {
        PendingJoin p = pending.remove(runnerId);
        if (p != null) {
            p.joined.cancel(false);
        }
    }

    // ------------------------------------------------------------------ unauthenticated connections

    private static final io.netty.util.AttributeKey<Long> CONNECTED =
            io.netty.util.AttributeKey.valueOf("flame.connected");

    private void admit(SocketChannel ch) {
        ch.attr(CONNECTED).set(System.nanoTime());
        long timeout = settings.joinTimeout().toMillis();
        SslHandler tls = identity.context().newHandler(ch.alloc());
        tls.setHandshakeTimeoutMillis(timeout);
        ch.pipeline().addLast("tls", tls)
                .addLast(Connection.DECODER, Frames.decoder(Frames.MAX_JOIN_FRAME))
                .addLast("join", new JoinHandler());
        Channel evicted = null;
        synchronized (unauthenticated) {
            unauthenticated.add(ch);
            if (unauthenticated.size() > settings.maxUnauthenticated()) {
                Iterator<Channel> oldest = unauthenticated.iterator();
                evicted = oldest.next();
                oldest.remove();
            }
        }
        if (evicted != null) {
            Channel e = evicted;
            LOG.fine(() -> "flame parent channel: more than " + settings.maxUnauthenticated()
                    + " connections have not joined; closing the oldest, from " + e.remoteAddress());
            e.close();
        }
        ch.eventLoop().schedule(() -> {
            if (authenticating(ch)) {
                LOG.info(() -> "flame parent channel: " + ch.remoteAddress() + " did not join within " + timeout
                        + " ms (" + RemoteSettings.JOIN_TIMEOUT + "); closed");
                ch.close();
            }
        }, timeout, TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> authenticated(ch));
    }

    private boolean authenticating(Channel ch) {
        synchronized (unauthenticated) {
            return unauthenticated.contains(ch);
        }
    }

    private void authenticated(Channel ch) {
        synchronized (unauthenticated) {
            unauthenticated.remove(ch);
        }
    }

    /** The first frame of a connection must be a join; nothing else is read before it succeeded. */
    private final class JoinHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            Channel ch = ctx.channel();
            try {
                if (!authenticating(ch)) {
                    return; // a second frame before the join's answer, or after an eviction: ignored
                }
                FrameType type = FrameType.of(frame.readByte());
                frame.skipBytes(5); // flags, stream
                if (type != FrameType.JOIN) {
                    refuse(ch, null, "the first frame must be a join, was " + type);
                    return;
                }
                JoinRequest join;
                try {
                    join = JoinRequest.decode(frame);
                } catch (IllegalArgumentException e) {
                    refuse(ch, null, e.getMessage());
                    return;
                }
                join(ch, join);
            } catch (IndexOutOfBoundsException e) {
                refuse(ch, null, "a truncated frame");
            } finally {
                frame.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.fine(() -> "flame parent channel: connection from " + ctx.channel().remoteAddress() + " failed before"
                    + " joining: " + cause);
            ctx.close();
        }
    }

    private void join(Channel ch, JoinRequest join) {
        InetAddress from = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        PendingJoin p = pending.get(join.runnerId());
        if (p == null) {
            refuse(ch, join, "no runner '" + join.runnerId() + "' is booting here");
            return;
        }
        JoinOrigin origin = p.origin();
        if (origin == null) {
            // the launcher has not returned yet (an in-JVM or very fast runner): not a refusal, which would end the
            // runner, but a closed connection, which it retries like a parent not listening yet; the token stays
            LOG.fine(() -> "flame parent channel: runner " + join.runnerId() + " joined from " + from.getHostAddress()
                    + " before its launch was recorded; closed, it retries");
            authenticated(ch);
            ch.close();
            return;
        }
        if (!origin.allows().test(from)) {
            refuse(ch, join, "runner " + join.runnerId() + " must join from " + origin.description() + ", not "
                    + from.getHostAddress());
            return;
        }
        String bad = p.redeem(join.token());
        if (bad != null) {
            refuse(ch, join, bad);
            return;
        }
        if (!Objects.equals(p.appVersion, join.appVersion())) {
            String why = "application version mismatch: the parent runs " + p.appVersion + ", runner "
                    + join.runnerId() + " runs " + join.appVersion() + "; deploy the same build to parent and runners";
            refuse(ch, join, why);
            p.joined.completeExceptionally(new RegistrationRefused(why));
            return;
        }
        p.joinedNanos = System.nanoTime();
        p.bootMarks = join.bootMarks();
        authenticated(ch);
        ch.pipeline().remove("join");
        Connection connection = Connection.install(ch, maxMessage, "runner " + join.runnerId(), p.binder());
        ch.writeAndFlush(Frames.frame(ch.alloc(), FrameType.JOINED, Frames.LAST, 0, new byte[0], 0, 0));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ch.attr(CONNECTED).get());
        LOG.info(() -> "flame parent channel: runner " + join.runnerId() + " joined from " + from.getHostAddress()
                + " (TLS and join took " + tookMs + " ms)");
        if (!p.joined.complete(connection.listener())) {
            connection.close("the boot of runner " + join.runnerId() + " was given up");
        }
    }

    private void refuse(Channel ch, JoinRequest join, String why) {
        LOG.warning(() -> "flame parent channel: join" + (join == null ? "" : " of runner " + join.runnerId())
                + " from " + ch.remoteAddress() + " refused: " + why);
        authenticated(ch);
        ch.writeAndFlush(Frames.text(ch.alloc(), FrameType.REFUSED, 0, why)).addListener(ChannelFutureListener.CLOSE);
    }

    /** The join of a runner was refused for good, such as for a version mismatch. */
    public static final class RegistrationRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RegistrationRefused(String message) {
            super(message);
        }
    }

    // ------------------------------------------------------------------ addresses

    /**
     * The host to advertise for a bind address: the address itself if specific, else the first non-loopback
     * IPv4 address of this machine, else {@code localhost}.
     *
     * @param bind the bind address, or {@code null} for any
     * @return a host literal
     */
    public static String advertisedHost(InetAddress bind) {
        if (bind != null && !bind.isAnyLocalAddress()) {
            return hostLiteral(bind.getHostAddress());
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // fall back to localhost
        }
        return "localhost";
    }

    private static String hostLiteral(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
