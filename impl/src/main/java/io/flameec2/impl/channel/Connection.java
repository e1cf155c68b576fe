package io.flameec2.impl.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A joined runner channel, on either side: sends messages (chunked, multiplexed by stream, with
 * backpressure: {@link Outbox}) and control frames, and hands what arrives, reassembled ({@link Inbox}),
 * to its {@link Listener} on the event loop. Listeners must not block: deserializing and running calls
 * belong on other threads.
 *
 * <p>A protocol violation (unknown frame, a message above the limit, too many half-sent messages) closes
 * the connection; {@link Listener#closed} then runs once, as for any other end of the connection.
 */
public final class Connection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(Connection.class.getName());
    /** The name of the flush consolidation in the pipeline ({@link Outbox} goes past it when the buffer is full). */
    static final String FLUSHES = "flushes";
    /** The name of the frame decoder in the pipeline, raised to whole chunks once joined. */
    public static final String DECODER = "frames";

    /** What arrives on a connection; called on its event loop. */
    public interface Listener {

        /**
         * A whole message ({@link FrameType#isMessage()}).
         *
         * @param type its type
         * @param stream its stream
         * @param body its bytes
         */
        void message(FrameType type, int stream, Body body);

        /**
         * A control frame.
         *
         * @param type its type
         * @param stream its stream, 0 if connection-wide
         * @param payload its payload, valid only during this call
         */
        void control(FrameType type, int stream, ByteBuf payload);

        /**
         * The connection ended (closed by either side, reset, or a protocol violation). Called once.
         *
         * @param why what ended it, for logs
         */
        void closed(String why);
    }

    private final Channel channel;
    private final Outbox outbox;
    private final Inbox inbox;
    private final String peer;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** A violation was seen: nothing more from this peer is looked at (event loop only). */
    private boolean dead;
    private volatile Listener listener;
    private volatile String closeReason;

    private Connection(Channel channel, long maxMessage, String peer) {
        this.channel = channel;
        this.outbox = new Outbox(channel);
        this.inbox = new Inbox(maxMessage);
        this.peer = peer;
    }

    /**
     * Turns a channel that just joined into a connection: from now on frames may be a whole chunk, and
     * messages up to {@code maxMessage} bytes. Call on the channel's event loop.
     *
     * @param channel the channel
     * @param maxMessage the largest message accepted
     * @param peer who is at the other end, for logs ({@code runner r-1}, {@code parent 10.0.0.5:7443})
     * @param bind makes what hears the frames, given the connection (before any frame can arrive)
     * @return the connection
     */
    public static Connection install(Channel channel, long maxMessage, String peer,
            Function<Connection, Listener> bind) {
        Connection c = new Connection(channel, maxMessage, peer);
        c.listener = bind.apply(c);
        ((FrameDecoder) channel.pipeline().get(DECODER)).raise(Frames.CHUNK);
        // every message is written by a task of its own on the event loop (from a caller's or a call's thread),
        // each flushing: many callers at once gave a TLS record and a write(2) per message. Flushes are deferred
        // to a task queued behind the writes already waiting, so those go out in one; alone, a message waits one
        // task more.
        channel.pipeline().addBefore(DECODER, FLUSHES, new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        channel.pipeline().addLast("connection", c);
        if (!channel.isActive()) {
            c.end("the connection closed while joining");
        }
        return c;
    }

    /**
     * What hears this connection's frames.
     *
     * @return the listener
     */
    public Listener listener() {
        return listener;
    }

    /**
     * Sends a message on a stream, in chunks; {@code onSent} runs once its last byte was handed to the socket,
     * or once it is clear it never will be (the connection closed, the stream was cancelled).
     *
     * @param type {@link FrameType#CALL} or {@link FrameType#REPLY}
     * @param stream the stream
     * @param body the message
     * @param onSent run once, or {@code null}
     */
    public void send(FrameType type, int stream, Body body, Runnable onSent) {
        Outbox.Outgoing m = new Outbox.Outgoing(type, stream, body, onSent);
        onLoop(() -> outbox.add(m), m::sent);
    }

    /**
     * Sends a message of one array ({@link #send(FrameType, int, Body, Runnable)}).
     *
     * @param type {@link FrameType#CALL} or {@link FrameType#REPLY}
     * @param stream the stream
     * @param body the message (not copied: not to be changed afterwards)
     * @param onSent run once, or {@code null}
     */
    public void send(FrameType type, int stream, byte[] body, Runnable onSent) {
        send(type, stream, Body.of(body), onSent);
    }

    /**
     * Sends a control frame.
     *
     * @param type the type
     * @param stream the stream, 0 if connection-wide
     * @param payload the payload
     */
    public void control(FrameType type, int stream, byte[] payload) {
        onLoop(() -> channel.writeAndFlush(Frames.frame(channel.alloc(), type, Frames.LAST, stream, payload, 0,
                payload.length), channel.voidPromise()), null);
    }

    /**
     * Sends a control frame with a text payload.
     *
     * @param type the type
     * @param stream the stream
     * @param text the text
     */
    public void controlText(FrameType type, int stream, String text) {
        onLoop(() -> channel.writeAndFlush(Frames.text(channel.alloc(), type, stream, text), channel.voidPromise()),
                null);
    }

    /**
     * Cancels what is still to be sent of a stream's message; when part of it went out already, the peer is
     * told to drop it ({@link FrameType#CANCEL}). If all of it went out, the peer gets the cancel too.
     *
     * @param stream the stream
     */
    public void cancel(int stream) {
        onLoop(() -> {
            outbox.discard(stream);
            channel.writeAndFlush(Frames.frame(channel.alloc(), FrameType.CANCEL, Frames.LAST, stream, new byte[0], 0,
                    0), channel.voidPromise());
        }, null);
    }

    /**
     * Closes the connection: what was already written is flushed first, for at most {@link #CLOSE_GRACE} (a
     * peer that stopped reading must not keep it open); messages not yet started are dropped.
     *
     * @param why for logs and the listener
     */
    public void close(String why) {
        if (closeReason == null) {
            closeReason = why;
        }
        onLoop(() -> {
            outbox.close();
            channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> channel.close());
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, CLOSE_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }, null);
    }

    /** How long {@link #close} waits for written bytes to leave before it closes anyway. */
    static final java.time.Duration CLOSE_GRACE = java.time.Duration.ofSeconds(1);

    /**
     * Whether the connection is open.
     *
     * @return {@code true} until it closed
     */
    public boolean isOpen() {
        return channel.isActive() && !ended.get();
    }

    /**
     * The peer's address.
     *
     * @return the address
     */
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    /**
     * The channel's event loop, for work that must not race with arriving frames.
     *
     * @return the event loop
     */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    private void onLoop(Runnable task, Runnable ifClosed) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (ifClosed != null) {
                ifClosed.run();
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (dead) {
                return; // the rest of a read that brought a violation
            }
            FrameType type = FrameType.of(frame.readByte());
            byte flags = frame.readByte();
            int stream = frame.readInt();
            if (type == null || type == FrameType.JOIN) {
                violation("an unexpected frame type");
                return;
            }
            if (type.isMessage()) {
                Body whole = inbox.accept(stream, frame, (flags & Frames.LAST) != 0);
                if (whole != null) {
                    listener.message(type, stream, whole);
                }
            } else {
                if (type == FrameType.CANCEL) {
                    inbox.discard(stream);
                }
                listener.control(type, stream, frame);
            }
        } catch (Inbox.Violation e) {
            violation(e.getMessage());
        } catch (IndexOutOfBoundsException e) {
            violation("a truncated frame");
        } finally {
            frame.release();
        }
    }

    private void violation(String what) {
        dead = true;
        LOG.warning(() -> "flame channel with " + peer + ": protocol violation (" + what + "); closing");
        closeReason = "protocol violation: " + what;
        channel.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            outbox.pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        dead = true;
        LOG.log(Level.FINE, "flame channel with " + peer + " failed", cause);
        if (closeReason == null) {
            closeReason = cause instanceof io.netty.handler.codec.TooLongFrameException
                    || cause instanceof io.netty.handler.codec.CorruptedFrameException
                    ? "protocol violation: " + cause.getMessage() : String.valueOf(cause);
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end(closeReason != null ? closeReason : "the connection closed");
    }

    private void end(String why) {
        if (ended.compareAndSet(false, true)) {
            outbox.close();
            listener.closed(why);
        }
    }
}
