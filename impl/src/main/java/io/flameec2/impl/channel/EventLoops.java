package io.flameec2.impl.channel;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/** Event loops for the channel: Linux epoll where Netty's native transport loads, NIO elsewhere. */
public final class EventLoops {

    private EventLoops() {
    }

    /**
     * A group of event loops.
     *
     * @param threads how many
     * @param factory where their threads come from (the container's managed thread factory, in Liberty)
     * @return the group
     */
    public static EventLoopGroup group(int threads, ThreadFactory factory) {
        return Epoll.isAvailable() ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    }

    /**
     * The server socket channel class matching a group.
     *
     * @param group the group
     * @return the class
     */
    public static Class<? extends ServerChannel> serverChannel(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * The socket channel class matching a group.
     *
     * @param group the group
     * @return the class
     */
    public static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
