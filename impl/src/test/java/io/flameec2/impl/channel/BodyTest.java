package io.flameec2.impl.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BodyTest {

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code bytes} in pieces of {@code piece} bytes, single bytes every 7th piece. */
    private static Body written(byte[] bytes, int piece) {
        Body.Writer w = Body.writer();
        int i = 0;
        for (int off = 0; off < bytes.length; off += piece, i++) {
            int n = Math.min(piece, bytes.length - off);
            if (i % 7 == 3) {
                for (int k = 0; k < n; k++) {
                    w.write(bytes[off + k]);
                }
            } else {
                w.write(bytes, off, n);
            }
        }
        assertEquals(bytes.length, w.size());
        return w.toBody();
    }

    private static byte[] readAll(InputStream in, int buffer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[buffer];
        for (int n; (n = in.read(b, 0, b.length)) > 0;) {
            out.write(b, 0, n);
        }
        assertEquals(-1, in.read(), "nothing after the end");
        return out.toByteArray();
    }

    @Test
    void writtenBodiesReadBackByteExactAcrossChunkBoundaries() throws IOException {
        for (int size : new int[] {0, 1, 511, 512, 513, Frames.CHUNK - 1, Frames.CHUNK, Frames.CHUNK + 1,
            3 * Frames.CHUNK, 3 * Frames.CHUNK + 17, 1024 * 1024 + 5}) {
            byte[] bytes = random(size, size);
            for (int piece : new int[] {1000, 65_537}) {
                Body body = written(bytes, piece);
                assertEquals(size, body.length());
                assertArrayEquals(bytes, body.toArray(), size + " bytes in pieces of " + piece);
                assertArrayEquals(bytes, readAll(body.stream(), 4096), size + " bytes streamed");
                assertArrayEquals(bytes, readAll(body.stream(), 100_000), size + " bytes streamed, big reads");
            }
        }
    }

    @Test
    void largeBodiesAreFullChunksAndNeverOneBigArray() {
        int size = 16 * 1024 * 1024 + 100;
        Body body = written(random(size, 1), 8192);
        assertEquals(257, body.partCount());
        for (int i = 0; i < body.partCount() - 1; i++) {
            assertEquals(Frames.CHUNK, body.part(i).length, "part " + i + " is one whole chunk");
        }
        assertEquals(100, body.part(body.partCount() - 1).length, "the last part holds only its bytes");
    }

    @Test
    void smallBodyIsOneArrayOfItsSize() {
        Body body = written(random(789, 2), 100);
        assertEquals(1, body.partCount());
        assertEquals(789, body.part(0).length);
        assertSame(body.part(0), body.toArray(), "one array is not copied again");
    }

    @Test
    void streamReportsWhatIsLeft() throws IOException {
        Body body = written(random(3 * Frames.CHUNK, 3), 10_000);
        InputStream in = body.stream();
        assertEquals(3 * Frames.CHUNK, in.available());
        assertTrue(in.skip(Frames.CHUNK + 10) > 0);
        assertEquals(body.toArray()[(int) (3 * Frames.CHUNK - in.available())] & 0xff, in.read());
    }
}
