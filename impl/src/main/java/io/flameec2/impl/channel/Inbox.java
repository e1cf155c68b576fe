package io.flameec2.impl.channel;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reassembles chunked messages, per stream. Confined to the channel's event loop. Buffers grow with the bytes
 * that arrive, never from a declared length; a message above the size limit, or more half-assembled messages
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

    private static final class Partial {
        byte[] bytes;
        int size;

        Partial(long maxMessage) {
            bytes = new byte[(int) Math.min(maxMessage, 2 * Frames.CHUNK)];
        }
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
    byte[] accept(int stream, ByteBuf payload, boolean last) throws Violation {
        int n = payload.readableBytes();
        Partial p = partial.get(stream);
        long size = (p == null ? 0 : p.size) + (long) n;
        if (size > maxMessage) {
            partial.remove(stream);
            throw new Violation("a message on stream " + stream + " exceeds " + maxMessage + " bytes");
        }
        if (p == null && last) {
            byte[] whole = new byte[n];
            payload.readBytes(whole);
            return whole;
        }
        if (p == null) {
            if (partial.size() >= MAX_PARTIAL) {
                throw new Violation("more than " + MAX_PARTIAL + " messages interleaved");
            }
            p = new Partial(maxMessage);
            partial.put(stream, p);
        }
        if (p.bytes.length < size) {
            p.bytes = Arrays.copyOf(p.bytes, (int) Math.min(maxMessage, Math.max(size, 2L * p.bytes.length)));
        }
        payload.readBytes(p.bytes, p.size, n);
        p.size += n;
        if (!last) {
            return null;
        }
        partial.remove(stream);
        return p.bytes.length == p.size ? p.bytes : Arrays.copyOf(p.bytes, p.size);
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
