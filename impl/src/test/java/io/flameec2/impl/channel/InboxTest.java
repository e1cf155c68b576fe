package io.flameec2.impl.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Reassembly of chunked messages ({@link Inbox}): byte-exact, bounded in size and in half-assembled streams,
 * and never allocating from the limit rather than from what arrived.
 */
class InboxTest {

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Feeds {@code message} in chunks of {@code chunk} bytes; returns what the last chunk returned. */
    private static byte[] feed(Inbox inbox, int stream, byte[] message, int chunk) throws Inbox.Violation {
        byte[] whole = null;
        for (int off = 0; off < message.length || off == 0; off += chunk) {
            int n = Math.min(chunk, message.length - off);
            boolean last = off + n >= message.length;
            ByteBuf payload = Unpooled.wrappedBuffer(message, off, n);
            whole = arr(inbox.accept(stream, payload, last));
            assertEquals(0, payload.readableBytes(), "the inbox reads the whole payload");
            if (!last) {
                assertNull(whole, "nothing is whole before the last chunk");
            }
            if (last) {
                break;
            }
        }
        return whole;
    }

    private static byte[] arr(Body body) {
        return body == null ? null : body.toArray();
    }

    private static ByteBuf bytes(int n) {
        return Unpooled.wrappedBuffer(new byte[n]);
    }

    @SuppressWarnings("unchecked")
    private static Map<Integer, Object> partials(Inbox inbox) throws ReflectiveOperationException {
        Field f = Inbox.class.getDeclaredField("partial");
        f.setAccessible(true);
        return (Map<Integer, Object>) f.get(inbox);
    }

    /** The bytes a half-assembled stream holds, in all its chunks (no public way to see it). */
    @SuppressWarnings("unchecked")
    private static int capacity(Inbox inbox, int stream) throws ReflectiveOperationException {
        Object p = partials(inbox).get(stream);
        assertNotNull(p, "stream " + stream + " is half-assembled");
        Field f = p.getClass().getDeclaredField("chunks");
        f.setAccessible(true);
        return ((List<byte[]>) f.get(p)).stream().mapToInt(c -> c.length).sum();
    }

    @Test
    void reassemblesChunksByteExact() throws Exception {
        Inbox inbox = new Inbox(8L * 1024 * 1024);
        for (int size : new int[] {0, 1, 100, Frames.CHUNK - 1, Frames.CHUNK, Frames.CHUNK + 1, 2 * Frames.CHUNK,
                3 * Frames.CHUNK + 17, 1024 * 1024, 8 * 1024 * 1024}) {
            byte[] message = random(size, size);
            byte[] whole = feed(inbox, 7, message, Frames.CHUNK);
            assertArrayEquals(message, whole, "a message of " + size + " bytes");
            // odd chunk sizes too: the sender's chunking is not assumed
            assertArrayEquals(message, feed(inbox, 9, message, 1000), "a message of " + size + " bytes, 1000-byte chunks");
        }
        assertTrue(partials(inbox).isEmpty(), "nothing is left half-assembled");
    }

    @Test
    void interleavedStreamsStaySeparate() throws Exception {
        Inbox inbox = new Inbox(1024 * 1024);
        byte[] a = random(300_000, 1);
        byte[] b = random(200_000, 2);
        byte[] c = random(50, 3);
        int chunk = Frames.CHUNK;
        byte[] wholeA = null;
        byte[] wholeB = null;
        for (int off = 0; off < Math.max(a.length, b.length); off += chunk) {
            if (off < a.length) {
                int n = Math.min(chunk, a.length - off);
                wholeA = arr(inbox.accept(1, Unpooled.wrappedBuffer(a, off, n), off + n == a.length));
            }
            if (off < b.length) {
                int n = Math.min(chunk, b.length - off);
                wholeB = arr(inbox.accept(3, Unpooled.wrappedBuffer(b, off, n), off + n == b.length));
            }
            if (off == chunk) {
                assertArrayEquals(c, arr(inbox.accept(5, Unpooled.wrappedBuffer(c), true)), "a one-frame message between");
            }
        }
        assertArrayEquals(a, wholeA);
        assertArrayEquals(b, wholeB);
    }

    @Test
    void messageExactlyAtTheLimitIsAccepted() throws Exception {
        int max = 3 * Frames.CHUNK + 5;
        Inbox inbox = new Inbox(max);
        byte[] message = random(max, 4);
        assertArrayEquals(message, feed(inbox, 1, message, Frames.CHUNK));
        byte[] one = random(1000, 5);
        assertArrayEquals(one, arr(new Inbox(1000).accept(1, Unpooled.wrappedBuffer(one), true)));
    }

    @Test
    void messageGrowingPastTheLimitIsAViolation() throws Exception {
        long max = 3 * Frames.CHUNK + 5;
        Inbox inbox = new Inbox(max);
        assertNull(inbox.accept(1, bytes(Frames.CHUNK), false));
        assertNull(inbox.accept(1, bytes(Frames.CHUNK), false));
        assertNull(inbox.accept(1, bytes(Frames.CHUNK), false));
        Inbox.Violation v = assertThrows(Inbox.Violation.class, () -> inbox.accept(1, bytes(6), false));
        assertTrue(v.getMessage().contains("exceeds " + max), v.getMessage());
        // the offending stream is dropped, not kept growing
        assertTrue(partials(inbox).isEmpty());
        // a non-last chunk as much as a last one
        Inbox other = new Inbox(max);
        other.accept(2, bytes(Frames.CHUNK), false);
        other.accept(2, bytes(Frames.CHUNK), false);
        assertThrows(Inbox.Violation.class, () -> other.accept(2, bytes(Frames.CHUNK + 6), true));
    }

    @Test
    void singleFrameAboveTheLimitIsAViolation() {
        Inbox inbox = new Inbox(1000);
        assertThrows(Inbox.Violation.class, () -> inbox.accept(1, bytes(1001), true));
        assertThrows(Inbox.Violation.class, () -> inbox.accept(2, bytes(1001), false));
    }

    @Test
    void tooManyHalfAssembledStreamsIsAViolation() throws Exception {
        Inbox inbox = new Inbox(1024 * 1024);
        for (int s = 1; s <= Inbox.MAX_PARTIAL; s++) {
            assertNull(inbox.accept(s, bytes(100), false), "stream " + s);
        }
        // a whole one-frame message needs no slot, more chunks of an open stream neither
        assertEquals(1, inbox.accept(1000, bytes(1), true).length());
        assertNull(inbox.accept(1, bytes(100), false));
        Inbox.Violation v = assertThrows(Inbox.Violation.class,
                () -> inbox.accept(Inbox.MAX_PARTIAL + 1, bytes(100), false));
        assertTrue(v.getMessage().contains("interleaved"), v.getMessage());
        assertEquals(Inbox.MAX_PARTIAL, partials(inbox).size(), "the refused stream holds nothing");
    }

    @Test
    void completedStreamFreesItsSlot() throws Exception {
        Inbox inbox = new Inbox(1024 * 1024);
        for (int s = 1; s <= Inbox.MAX_PARTIAL; s++) {
            inbox.accept(s, bytes(100), false);
        }
        assertEquals(200, inbox.accept(1, bytes(100), true).length());
        assertNull(inbox.accept(Inbox.MAX_PARTIAL + 1, bytes(100), false), "a finished stream's slot is free again");
        assertThrows(Inbox.Violation.class, () -> inbox.accept(Inbox.MAX_PARTIAL + 2, bytes(100), false));
    }

    @Test
    void discardDropsAPartial() throws Exception {
        Inbox inbox = new Inbox(1024 * 1024);
        byte[] old = random(5000, 6);
        assertNull(inbox.accept(4, Unpooled.wrappedBuffer(old), false));
        inbox.discard(4);
        assertTrue(partials(inbox).isEmpty());
        // the stream starts afresh: nothing of the discarded message is prepended
        byte[] fresh = random(300, 7);
        assertArrayEquals(fresh, arr(inbox.accept(4, Unpooled.wrappedBuffer(fresh), true)));
        byte[] fresh2 = random(3 * Frames.CHUNK, 8);
        inbox.accept(4, Unpooled.wrappedBuffer(old), false);
        inbox.discard(4);
        assertArrayEquals(fresh2, feed(inbox, 4, fresh2, Frames.CHUNK));
        // discarding an unknown stream is harmless
        inbox.discard(99);
    }

    @Test
    void discardFreesASlot() throws Exception {
        Inbox inbox = new Inbox(1024 * 1024);
        for (int s = 1; s <= Inbox.MAX_PARTIAL; s++) {
            inbox.accept(s, bytes(100), false);
        }
        inbox.discard(3);
        assertNull(inbox.accept(Inbox.MAX_PARTIAL + 1, bytes(100), false));
    }

    @Test
    void buffersGrowWithArrivingBytesNotWithTheLimit() throws Exception {
        long max = 1L << 30; // 1 GiB: allocating it (or half of it) per stream would be the bug
        Inbox inbox = new Inbox(max);
        for (int s = 1; s <= Inbox.MAX_PARTIAL; s++) {
            inbox.accept(s, bytes(100), false);
            int cap = capacity(inbox, s);
            assertTrue(cap >= 100 && cap <= 2 * Frames.CHUNK,
                    "after 100 bytes stream " + s + " holds a " + cap + "-byte buffer");
        }
        // growth follows the bytes (amortized doubling), never jumps towards the limit
        int size = 100;
        for (int i = 0; i < 40; i++) {
            inbox.accept(1, bytes(Frames.CHUNK), false);
            size += Frames.CHUNK;
            int cap = capacity(inbox, 1);
            assertTrue(cap >= size && cap <= 2L * size + 2 * Frames.CHUNK,
                    "after " + size + " bytes the buffer is " + cap + " bytes");
        }
        byte[] whole = arr(inbox.accept(1, bytes(1), true));
        assertEquals(size + 1, whole.length, "the whole message is exactly what arrived");
    }

    @Test
    void reassembledMessageIsACopyOfExactlyTheBytes() throws Exception {
        // a message whose size is exactly the buffer's capacity (2 chunks) and one just below it
        Inbox inbox = new Inbox(1024 * 1024);
        for (int size : new int[] {2 * Frames.CHUNK, 2 * Frames.CHUNK - 1, 4 * Frames.CHUNK}) {
            byte[] m = random(size, size);
            byte[] whole = feed(inbox, 1, m, Frames.CHUNK);
            assertEquals(size, whole.length);
            assertTrue(Arrays.equals(m, whole));
        }
    }

    @Test
    void aLimitAboveWhatOneArrayHoldsIsCappedToIt() throws Exception {
        // flame.serialization.max-bytes of 2 GiB or more: one message is one Java array, so its growth past 1 GiB
        // must not overflow an int (it threw NegativeArraySizeException)
        java.lang.reflect.Field max = Inbox.class.getDeclaredField("maxMessage");
        max.setAccessible(true);
        assertEquals(Integer.MAX_VALUE - 8, max.getLong(new Inbox(4L << 30)));
        assertEquals(1000, max.getLong(new Inbox(1000)));
    }
}
