package io.flameec2.impl.channel;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects chunked messages, per stream, as the {@link Body} of their chunks (never joined: no copy of the
 * whole message). Confined to the channel's event loop. What is held grows with the bytes that arrive, never
 * from a declared length; a message above the size limit, or more half-assembled messages
 * than a well-behaved sender makes ({@link Outbox#MAX_LARGE} interleaved), is a protocol violation.
 */
final class Inbox {

    /** Twice what an {@link Outbox} interleaves: slack for a cancelled stream whose rest never comes. */
    static final int MAX_PARTIAL = 2 * Outbox.MAX_LARGE;

    private final long maxMessage;
    private final Map<Integer, Partial> partial = new HashMap<>();

    Inbox(long maxMessage) {
        // one message is one Java array
        this.maxMessage = Math.min(maxMessage, Integer.MAX_VALUE - 8);
    }

    /** A message that breaks the rules; the connection is closed. */
    static final class Violation extends Exception {
        private static final long serialVersionUID = 1L;

        Violation(String message) {
            super(message);
        }
    }

    /** A message arriving: its chunks, each copied out of the network buffer as it came. */
    private static final class Partial {
        final List<byte[]> chunks = new ArrayList<>();
        int size;
    }

    /**
     * Takes one chunk.
     *
     * @param stream its stream
     * @param payload its bytes (read here)
     * @param last whether it ends its message
     * @return the whole message when {@code last}, else {@code null}
     * @throws Violation when the message grows beyond the limit or too many are half-assembled
     */
    Body accept(int stream, ByteBuf payload, boolean last) throws Violation {
        int n = payload.readableBytes();
        Partial p = partial.get(stream);
        long size = (p == null ? 0 : p.size) + (long) n;
        if (size > maxMessage) {
            partial.remove(stream);
            throw new Violation("a message on stream " + stream + " exceeds " + maxMessage + " bytes");
        }
        byte[] chunk = new byte[n];
        payload.readBytes(chunk);
        if (p == null && last) {
            return Body.of(chunk);
        }
        if (p == null) {
            if (partial.size() >= MAX_PARTIAL) {
                throw new Violation("more than " + MAX_PARTIAL + " messages interleaved");
            }
            p = new Partial();
            partial.put(stream, p);
        }
        if (n > 0) {
            p.chunks.add(chunk);
            p.size += n;
        }
        if (!last) {
            return null;
        }
        partial.remove(stream);
        return p.chunks.isEmpty() ? Body.of(chunk) : Body.of(p.chunks, p.size);
    }

    /**
     * Drops what arrived of a stream's message (it was cancelled).
     *
     * @param stream the stream
     */
    void discard(int stream) {
        partial.remove(stream);
    }
}
