package io.flameec2.impl.remote.runner;

import io.flameec2.impl.channel.ChannelTls;
import io.flameec2.impl.channel.Connection;
import io.flameec2.impl.channel.EventLoops;
import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import io.flameec2.impl.channel.JoinRequest;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The runner's way to its parent: one attempt opens a TCP connection to the parent's channel, completes TLS
 * 1.3 trusting only the parent's certificate (by fingerprint), sends the join and waits for the answer.
 * Retrying is the caller's business: a refusal ({@link Refused}) is final, anything else may pass.
 */
final class ParentLink {

    /** The parent refused the join, for good (wrong token, version mismatch, unknown runner). */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final RunnerSettings settings;
    private final SslContext tls;
    private final EventLoopGroup loops;
    private final long maxMessage;

    ParentLink(RunnerSettings settings, EventLoopGroup loops, long maxMessage) {
        this.settings = settings;
        this.tls = ChannelTls.runnerContext(settings.parentFingerprint());
        this.loops = loops;
        this.maxMessage = maxMessage;
    }

    /**
     * One attempt to connect and join.
     *
     * @param timeout for the connection, the TLS handshake and the join's answer, each
     * @param listener what hears the connection's frames once joined
     * @return the joined connection; fails with {@link Refused}, or an {@link IOException} saying why not
     */
    CompletableFuture<Connection> join(Duration timeout, Connection.Listener listener) {
        CompletableFuture<Connection> joined = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(loops).channel(EventLoops.socketChannel(loops))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler handler = tls.newHandler(ch.alloc(), settings.parentHost(), settings.parentPort());
                        handler.setHandshakeTimeoutMillis(timeout.toMillis());
                        ch.pipeline().addLast("tls", handler)
                                .addLast(Connection.DECODER, Frames.decoder(Frames.MAX_JOIN_FRAME))
                                .addLast("join", new JoinHandler(joined, listener));
                        handler.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) {
                                byte[] join = new JoinRequest(settings.runnerId(), settings.joinToken(),
                                        settings.appVersion(), BootMarks.forJoin(System.getenv())).encode();
                                ch.writeAndFlush(Frames.frame(ch.alloc(), FrameType.JOIN, Frames.LAST, 0, join, 0,
                                        join.length));
                                ch.eventLoop().schedule(() -> {
                                    if (joined.completeExceptionally(new IOException("no answer to the join within "
                                            + timeout.toMillis() + " ms"))) {
                                        ch.close();
                                    }
                                }, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                            } else {
                                joined.completeExceptionally(new IOException("TLS with the parent at "
                                        + settings.parentAddress() + " failed (" + f.cause()
                                        + "); a parent whose certificate does not have the fingerprint this runner was"
                                        + " given is refused", f.cause()));
                                ch.close();
                            }
                        });
                    }
                });
        bootstrap.connect(settings.parentHost(), settings.parentPort()).addListener(f -> {
            if (!f.isSuccess()) {
                joined.completeExceptionally(new IOException("cannot connect to the parent at "
                        + settings.parentAddress() + ": " + f.cause(), f.cause()));
            }
        });
        return joined;
    }

    /** Waits for the parent's answer to the join. */
    private final class JoinHandler extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Connection> joined;
        private final Connection.Listener listener;

        JoinHandler(CompletableFuture<Connection> joined, Connection.Listener listener) {
            this.joined = joined;
            this.listener = listener;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            Channel ch = ctx.channel();
            try {
                FrameType type = FrameType.of(frame.readByte());
                frame.skipBytes(5);
                if (type == FrameType.JOINED && !joined.isDone()) {
                    ch.pipeline().remove(this);
                    Connection c = Connection.install(ch, maxMessage, "parent " + settings.parentAddress(),
                            joinedConnection -> listener);
                    if (!joined.complete(c)) {
                        ch.close();
                    }
                } else if (type == FrameType.REFUSED) {
                    joined.completeExceptionally(new Refused(Frames.text(frame)));
                    ch.close();
                } else {
                    joined.completeExceptionally(new IOException("the parent answered the join with " + type));
                    ch.close();
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            joined.completeExceptionally(new IOException("the connection to the parent failed while joining: "
                    + cause, cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            joined.completeExceptionally(new IOException("the parent closed the connection while joining"));
        }
    }
}
