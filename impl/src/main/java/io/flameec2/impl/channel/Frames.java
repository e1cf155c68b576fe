package io.flameec2.impl.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * The frame layout, in one place: {@code int length | byte type | byte flags | int stream | payload}, where
 * {@code length} counts what follows it.
 */
public final class Frames {

    /** Bytes after the length field before the payload: type, flags, stream. */
    public static final int HEADER = 6;
    /** The largest payload of one frame: messages above it travel in chunks of this size. */
    public static final int CHUNK = 64 * 1024;
    /** The largest frame before a connection joined (the join and its answer are a few hundred bytes). */
    public static final int MAX_JOIN_FRAME = 4096;
    /** Flag: the last (or only) chunk of a message. */
    public static final byte LAST = 1;
    /** The longest reason text a control frame carries (longer ones are cut). */
    static final int MAX_TEXT = 8192;

    private Frames() {
    }

    /**
     * A decoder splitting the byte stream into frames of at most {@code maxPayload} payload bytes; a larger
     * declared length fails at once (fail-fast), before any byte of that frame is buffered.
     *
     * @param maxPayload the largest payload
     * @return a new decoder; its frames start at the type byte
     */
    public static io.netty.channel.ChannelHandler decoder(int maxPayload) {
        return new FrameDecoder(maxPayload);
    }

    /**
     * One frame.
     *
     * @param alloc the allocator
     * @param type the type
     * @param flags the flags
     * @param stream the stream, 0 for connection-wide frames
     * @param payload the payload bytes
     * @param offset where the payload starts in {@code payload}
     * @param length the payload length
     * @return the frame, length prefix included
     */
    public static ByteBuf frame(ByteBufAllocator alloc, FrameType type, byte flags, int stream, byte[] payload,
            int offset, int length) {
        ByteBuf header = alloc.ioBuffer(4 + HEADER + (length <= 1024 ? length : 0));
        header.writeInt(HEADER + length).writeByte(type.code()).writeByte(flags).writeInt(stream);
        if (length <= 1024) {
            return header.writeBytes(payload, offset, length);
        }
        // large chunks are not copied: TLS encrypts straight from the caller's array
        return Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(payload, offset, length));
    }

    /**
     * A control frame with a text payload (UTF-8, cut at {@value #MAX_TEXT} characters).
     *
     * @param alloc the allocator
     * @param type the type
     * @param stream the stream
     * @param text the text
     * @return the frame
     */
    public static ByteBuf text(ByteBufAllocator alloc, FrameType type, int stream, String text) {
        String t = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text;
        byte[] b = t.getBytes(StandardCharsets.UTF_8);
        return frame(alloc, type, LAST, stream, b, 0, b.length);
    }

    /**
     * Reads a text payload.
     *
     * @param payload the payload
     * @return the text
     */
    public static String text(ByteBuf payload) {
        return payload.toString(StandardCharsets.UTF_8);
    }

    /** The longest reason a {@link FrameType#RETIRING} frame carries: a short phrase such as "spot interruption". */
    public static final int MAX_RETIRING_REASON = 200;

    /**
     * The payload of a {@link FrameType#RETIRING} frame: {@code long deadline (epoch ms) | UTF-8 reason}.
     *
     * @param deadline when the runner will be gone (wall clock: the notice's time is EC2's)
     * @param reason why, cut at {@value #MAX_RETIRING_REASON} characters
     * @return the payload
     */
    public static byte[] retiring(java.time.Instant deadline, String reason) {
        byte[] text = cut(reason, MAX_RETIRING_REASON).getBytes(StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(8 + text.length).putLong(deadline.toEpochMilli()).put(text).array();
    }

    /**
     * Reads a {@link FrameType#RETIRING} payload (from a joined runner only: it is plain data, never deserialized).
     *
     * @param payload the payload
     * @return the deadline and the reason, cut at {@value #MAX_RETIRING_REASON} characters
     * @throws IndexOutOfBoundsException when it is too short: a protocol violation
     */
    public static Retiring retiring(ByteBuf payload) {
        java.time.Instant deadline = java.time.Instant.ofEpochMilli(payload.readLong());
        return new Retiring(deadline, cut(text(payload), MAX_RETIRING_REASON));
    }

    /**
     * A decoded {@link FrameType#RETIRING} frame.
     *
     * @param deadline when the runner will be gone
     * @param reason why
     */
    public record Retiring(java.time.Instant deadline, String reason) {
    }

    private static String cut(String text, int max) {
        return text.length() > max ? text.substring(0, max) + "..." : text;
    }
}
