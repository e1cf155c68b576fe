package io.flameec2.impl.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The frame splitter ({@link FrameDecoder}), on an {@link EmbeddedChannel}. */
class FrameDecoderTest {

    private EmbeddedChannel ch;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            dispose(ch);
        }
    }

    /**
     * Closes a channel and releases what it holds. Closing decodes what is left once more, so a channel whose
     * decoder failed fails again here: that is expected, the connection is closed on the first failure anyway.
     */
    private static void dispose(EmbeddedChannel c) {
        try {
            c.finishAndReleaseAll();
        } catch (DecoderException expected) {
            c.releaseInbound();
        }
    }

    private static byte[] frame(FrameType type, byte flags, int stream, byte[] payload) {
        ByteBuf f = Frames.frame(ByteBufAllocator.DEFAULT, type, flags, stream, payload, 0, payload.length);
        try {
            return ByteBufUtil.getBytes(f);
        } finally {
            f.release();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Reads one decoded frame and checks it starts at the type byte. */
    private void expectFrame(FrameType type, byte flags, int stream, byte[] payload) {
        ByteBuf f = ch.readInbound();
        try {
            assertEquals(Frames.HEADER + payload.length, f.readableBytes(), "the frame, length prefix stripped");
            assertEquals(type.code(), f.readByte());
            assertEquals(flags, f.readByte());
            assertEquals(stream, f.readInt());
            assertArrayEquals(payload, ByteBufUtil.getBytes(f));
        } finally {
            f.release();
        }
    }

    private static ByteBuf lengthOnly(int declared) {
        return Unpooled.buffer(4).writeInt(declared);
    }

    @Test
    void framesSplitAcrossReadsDecodeWhole() {
        ch = new EmbeddedChannel(new FrameDecoder(Frames.CHUNK));
        byte[] p1 = random(1000, 1);
        byte[] p2 = random(Frames.CHUNK, 2);
        byte[] p3 = new byte[0];
        byte[] wire = concat(frame(FrameType.CALL, (byte) 0, 1, p1), frame(FrameType.CALL, Frames.LAST, 2, p2),
                frame(FrameType.CANCEL, Frames.LAST, 3, p3));
        // byte by byte across the first frame's header, then odd pieces
        int off = 0;
        for (; off < 12; off++) {
            ch.writeInbound(Unpooled.wrappedBuffer(wire, off, 1));
            assertNull(ch.readInbound(), "nothing before a whole frame arrived (" + (off + 1) + " bytes)");
        }
        int end1 = 4 + Frames.HEADER + p1.length;
        int end2 = end1 + 4 + Frames.HEADER + p2.length;
        Random r = new Random(3);
        while (off < wire.length) {
            int n = Math.min(1 + r.nextInt(7000), wire.length - off);
            ch.writeInbound(Unpooled.wrappedBuffer(wire, off, n));
            off += n;
            int complete = off >= wire.length ? 3 : off >= end2 ? 2 : off >= end1 ? 1 : 0;
            assertEquals(complete, ch.inboundMessages().size(), "frames out after " + off + " bytes");
        }
        expectFrame(FrameType.CALL, (byte) 0, 1, p1);
        expectFrame(FrameType.CALL, Frames.LAST, 2, p2);
        expectFrame(FrameType.CANCEL, Frames.LAST, 3, p3);
        assertNull(ch.readInbound());
        ch.checkException();
    }

    @Test
    void severalFramesInOneReadDecodeSeparately() {
        ch = new EmbeddedChannel(new FrameDecoder(Frames.MAX_JOIN_FRAME));
        byte[] a = random(Frames.MAX_JOIN_FRAME, 4);
        byte[] b = random(7, 5);
        ch.writeInbound(Unpooled.wrappedBuffer(concat(frame(FrameType.JOIN, Frames.LAST, 0, a),
                frame(FrameType.PING, Frames.LAST, 0, b), frame(FrameType.JOINED, Frames.LAST, 0, new byte[0]))));
        expectFrame(FrameType.JOIN, Frames.LAST, 0, a);
        expectFrame(FrameType.PING, Frames.LAST, 0, b);
        expectFrame(FrameType.JOINED, Frames.LAST, 0, new byte[0]);
        assertNull(ch.readInbound());
    }

    @Test
    void frameAtTheLimitIsAccepted() {
        ch = new EmbeddedChannel(new FrameDecoder(100));
        byte[] p = random(100, 6);
        ch.writeInbound(Unpooled.wrappedBuffer(frame(FrameType.CALL, Frames.LAST, 1, p)));
        expectFrame(FrameType.CALL, Frames.LAST, 1, p);
    }

    @Test
    void lengthJustAboveTheLimitFailsOnTheLengthAlone() {
        ch = new EmbeddedChannel(new FrameDecoder(100));
        TooLongFrameException e = assertThrows(TooLongFrameException.class,
                () -> ch.writeInbound(lengthOnly(Frames.HEADER + 101)));
        assertTrue(e.getMessage().contains(String.valueOf(Frames.HEADER + 101)), e.getMessage());
    }

    @Test
    void hugeLengthFailsAfterTheFourLengthBytes() {
        ch = new EmbeddedChannel(new FrameDecoder(Frames.MAX_JOIN_FRAME));
        byte[] length = {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        for (int i = 0; i < 3; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(length, i, 1));
            ch.checkException();
        }
        // the fourth byte completes the length: it fails now, not after 2 GiB were buffered
        assertThrows(TooLongFrameException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(length, 3, 1)));
        assertNull(ch.readInbound());
    }

    @Test
    void twoGibLengthIsNegativeAndCorrupt() {
        ch = new EmbeddedChannel(new FrameDecoder(Frames.MAX_JOIN_FRAME));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0, 0}));
        ch.checkException();
        CorruptedFrameException e = assertThrows(CorruptedFrameException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0})));
        assertTrue(e.getMessage().contains("2147483648"), "reported unsigned: " + e.getMessage());
        // 0xFFFFFFFF (4 GiB - 1) as well
        EmbeddedChannel other = new EmbeddedChannel(new FrameDecoder(Frames.MAX_JOIN_FRAME));
        DecoderException e2 = assertThrows(DecoderException.class, () -> other.writeInbound(lengthOnly(-1)));
        assertTrue(e2 instanceof CorruptedFrameException || e2 instanceof TooLongFrameException, e2.toString());
        dispose(other);
    }

    @Test
    void lengthShorterThanTheHeaderIsCorrupt() {
        for (int declared : new int[] {0, 1, Frames.HEADER - 1}) {
            EmbeddedChannel c = new EmbeddedChannel(new FrameDecoder(Frames.MAX_JOIN_FRAME));
            assertThrows(CorruptedFrameException.class, () -> c.writeInbound(lengthOnly(declared)),
                    "declared " + declared);
            dispose(c);
        }
    }

    @Test
    void failureComesWithTheLengthEvenWhenFrameBytesFollowInTheSameRead() {
        // a frame declaring 1 MB with some of its bytes already there: still refused, nothing passed on
        ch = new EmbeddedChannel(new FrameDecoder(Frames.CHUNK));
        ByteBuf b = Unpooled.buffer().writeInt(1024 * 1024).writeByte(FrameType.CALL.code()).writeByte(0).writeInt(1)
                .writeBytes(new byte[5000]);
        assertThrows(TooLongFrameException.class, () -> ch.writeInbound(b));
        assertNull(ch.readInbound());
    }

    @Test
    void raiseAllowsLargerFramesAfterwards() {
        FrameDecoder decoder = new FrameDecoder(Frames.MAX_JOIN_FRAME);
        ch = new EmbeddedChannel(decoder);
        byte[] small = random(Frames.MAX_JOIN_FRAME, 7);
        ch.writeInbound(Unpooled.wrappedBuffer(frame(FrameType.JOIN, Frames.LAST, 0, small)));
        expectFrame(FrameType.JOIN, Frames.LAST, 0, small);
        decoder.raise(Frames.CHUNK);
        byte[] chunk = random(Frames.CHUNK, 8);
        ch.writeInbound(Unpooled.wrappedBuffer(frame(FrameType.CALL, (byte) 0, 5, chunk)));
        expectFrame(FrameType.CALL, (byte) 0, 5, chunk);
        // raising never lowers
        decoder.raise(10);
        ch.writeInbound(Unpooled.wrappedBuffer(frame(FrameType.CALL, Frames.LAST, 5, chunk)));
        expectFrame(FrameType.CALL, Frames.LAST, 5, chunk);
        // and the new limit holds
        assertThrows(TooLongFrameException.class, () -> ch.writeInbound(lengthOnly(Frames.HEADER + Frames.CHUNK + 1)));
    }

    @Test
    void raiseAppliesToBytesAlreadyBuffered() {
        // a frame half-read before the raise completes after it (the decoder is raised in place, never replaced)
        FrameDecoder decoder = new FrameDecoder(Frames.MAX_JOIN_FRAME);
        ch = new EmbeddedChannel(decoder);
        byte[] join = random(100, 9);
        byte[] big = random(Frames.CHUNK, 10);
        byte[] wire = concat(frame(FrameType.JOIN, Frames.LAST, 0, join), frame(FrameType.CALL, Frames.LAST, 1, big));
        int firstEnd = 4 + Frames.HEADER + join.length;
        // the first frame plus three bytes of the next one's length
        ch.writeInbound(Unpooled.wrappedBuffer(wire, 0, firstEnd + 3));
        expectFrame(FrameType.JOIN, Frames.LAST, 0, join);
        ch.checkException();
        decoder.raise(Frames.CHUNK);
        ch.writeInbound(Unpooled.wrappedBuffer(wire, firstEnd + 3, wire.length - firstEnd - 3));
        expectFrame(FrameType.CALL, Frames.LAST, 1, big);
        assertFalse(ch.inboundMessages().size() > 0);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, off, p.length);
            off += p.length;
        }
        return all;
    }
}
