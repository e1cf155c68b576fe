package io.flameec2.impl.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * What a connection still has to send, and the order it goes in. Confined to the channel's event loop.
 *
 * <p>Messages go out one chunk at a time, round robin, so a 16 MB message holds a small one up for at most
 * one chunk per large message being sent. At most {@value #MAX_LARGE} multi-chunk messages are interleaved
 * at once (others wait their turn, in order), which bounds what the receiver holds half-assembled. Chunks
 * are written only while the channel is writable (Netty's write-buffer water marks), so a slow or stuck peer
 * never makes this side buffer more than the high water mark beyond the messages themselves.
 */
final class Outbox {

    /** The most multi-chunk messages in transmission at once; the receiver allows twice this. */
    static final int MAX_LARGE = 4;

    private final Channel channel;
    private final ArrayDeque<Outgoing> ready = new ArrayDeque<>();
    private final ArrayDeque<Outgoing> waitingLarge = new ArrayDeque<>();
    private int largeInReady;
    private boolean closed;

    Outbox(Channel channel) {
        this.channel = channel;
    }

    /** A message on its way. */
    static final class Outgoing {
        final FrameType type;
        final int stream;
        final Body body;
        final Runnable onSent;
        /** The array of {@link #body} the next chunk comes from, and where in it. */
        int part;
        int offset;
        int sent;

        Outgoing(FrameType type, int stream, Body body, Runnable onSent) {
            this.type = type;
            this.stream = stream;
            this.body = body;
            this.onSent = onSent;
        }

        boolean large() {
            return body.length() > Frames.CHUNK;
        }

        boolean started() {
            return sent > 0;
        }

        boolean done() {
            return sent == body.length();
        }

        void sent() {
            if (onSent != null) {
                onSent.run();
            }
        }
    }

    void add(Outgoing m) {
        if (closed) {
            m.sent();
            return;
        }
        if (!m.large()) {
            ready.add(m);
        } else if (largeInReady < MAX_LARGE) {
            largeInReady++;
            ready.add(m);
        } else {
            waitingLarge.add(m);
        }
        pump();
    }

    /** Writes chunks while the channel takes them. */
    void pump() {
        boolean wrote = false;
        boolean wroteLarge = false;
        while (!ready.isEmpty() && channel.isWritable()) {
            Outgoing m = ready.poll();
            writeChunk(m);
            wrote = true;
            wroteLarge |= m.large();
            if (!m.done()) {
                ready.add(m);
            } else if (m.large()) {
                largeInReady--;
                Outgoing next = waitingLarge.poll();
                if (next != null) {
                    largeInReady++;
                    ready.add(next);
                }
            }
        }
        if (wrote) {
            flush(wroteLarge);
        }
    }

    /**
     * Flushes what was written. Small messages go through the connection's flush consolidation (the flush waits
     * for the writes queued behind it: many callers, one TLS record). Chunks of a large message go past it, to the
     * socket at once: there is nothing to gain in waiting, and deferred flushes let Netty's buffer fill to its
     * high water mark before the socket had taken what it could, so a peer that stopped reading left up to a
     * megabyte more waiting on this side (ConnectionTest.stuckReceiverBoundsTheSendersBuffer).
     */
    private void flush(boolean large) {
        ChannelHandlerContext consolidation = large ? channel.pipeline().context(Connection.FLUSHES) : null;
        if (consolidation != null) {
            consolidation.flush(); // from the consolidation's place on, towards the socket
        } else {
            channel.flush();
        }
    }

    private void writeChunk(Outgoing m) {
        byte[] from = m.body.part(m.part);
        int length = Math.min(Frames.CHUNK, from.length - m.offset);
        boolean last = m.sent + length == m.body.length();
        var frame = Frames.frame(channel.alloc(), m.type, last ? Frames.LAST : 0, m.stream, from, m.offset, length);
        m.offset += length;
        m.sent += length;
        if (m.offset == from.length && !last) {
            m.part++;
            m.offset = 0;
        }
        if (last && m.onSent != null) {
            channel.write(frame).addListener(f -> m.sent());
        } else {
            channel.write(frame, channel.voidPromise());
        }
    }

    /**
     * Drops the message of a stream that is not fully sent.
     *
     * @param stream the stream
     * @return {@code true} when part of it was already sent (the peer holds a partial message to discard)
     */
    boolean discard(int stream) {
        for (ArrayDeque<Outgoing> q : java.util.List.of(ready, waitingLarge)) {
            for (Iterator<Outgoing> it = q.iterator(); it.hasNext();) {
                Outgoing m = it.next();
                if (m.stream == stream) {
                    it.remove();
                    if (q == ready && m.large()) {
                        largeInReady--;
                        Outgoing next = waitingLarge.poll();
                        if (next != null) {
                            largeInReady++;
                            ready.add(next);
                        }
                    }
                    m.sent();
                    return m.started();
                }
            }
        }
        return false;
    }

    /** The connection closed: nothing more goes out; every waiting message counts as sent (it never will be). */
    void close() {
        closed = true;
        ready.forEach(Outgoing::sent);
        waitingLarge.forEach(Outgoing::sent);
        ready.clear();
        waitingLarge.clear();
    }
}
