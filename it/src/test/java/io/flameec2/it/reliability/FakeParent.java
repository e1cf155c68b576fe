package io.flameec2.it.reliability;

import io.flameec2.impl.channel.ChannelTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A parent impostor: a TLS 1.3 server on loopback with its own, freshly made certificate (the way a real
 * parent makes one), recording what it gets: connections, raw bytes, handshake outcomes and every decrypted
 * application byte (a runner that joined it would have sent its token there).
 */
final class FakeParent implements AutoCloseable {

    private final EventLoopGroup loops = new NioEventLoopGroup(1);
    private final ChannelTls.ParentIdentity identity = ChannelTls.parentIdentity();
    private final Channel listener;
    final AtomicInteger connections = new AtomicInteger();
    /** {@link System#nanoTime()} of the first connection, 0 before it. */
    final AtomicLong firstConnectionNanos = new AtomicLong();
    final AtomicLong rawBytes = new AtomicLong();
    final AtomicInteger handshakesOk = new AtomicInteger();
    final List<String> handshakeFailures = new CopyOnWriteArrayList<>();
    final AtomicLong applicationBytes = new AtomicLong();

    FakeParent() {
        listener = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        firstConnectionNanos.compareAndSet(0, System.nanoTime());
                        SslHandler tls = identity.context().newHandler(ch.alloc());
                        tls.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) {
                                handshakesOk.incrementAndGet();
                            } else {
                                handshakeFailures.add(String.valueOf(f.cause()));
                            }
                        });
                        ch.pipeline().addLast("raw", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                rawBytes.addAndGet(((ByteBuf) msg).readableBytes());
                                ctx.fireChannelRead(msg);
                            }
                        }).addLast("tls", tls).addLast("app", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf b = (ByteBuf) msg;
                                applicationBytes.addAndGet(b.readableBytes());
                                b.release();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    /** @return {@code 127.0.0.1:port} */
    String address() {
        return "127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** @return this impostor's certificate fingerprint (not the real parent's) */
    String fingerprint() {
        return identity.fingerprint();
    }

    @Override
    public void close() {
        listener.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
