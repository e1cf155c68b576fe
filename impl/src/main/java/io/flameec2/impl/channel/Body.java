package io.flameec2.impl.channel;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The bytes of one message, kept as the chunks they are sent or received in and never joined into one array:
 * a 16 MB message costs no 16 MB copy on either side, and on a small heap no humongous allocation beyond the
 * value it carries. Written through a {@link #writer()}, read through {@link #stream()}. Immutable once built
 * (nothing writes to the arrays after); thread-safe. Every array holds only bytes of the body.
 */
public final class Body {

    /** The first array of a {@link Writer}: a no-op call fits. */
    private static final int FIRST = 512;

    private final byte[][] parts;
    private final int length;

    private Body(byte[][] parts, int length) {
        this.parts = parts;
        this.length = length;
    }

    /**
     * A body of one array, not copied: the caller does not change it afterwards.
     *
     * @param bytes the bytes
     * @return the body
     */
    public static Body of(byte[] bytes) {
        return new Body(new byte[][] {Objects.requireNonNull(bytes, "bytes")}, bytes.length);
    }

    static Body of(List<byte[]> parts, int length) {
        return new Body(parts.toArray(new byte[0][]), length);
    }

    /**
     * A stream building a body: arrays of up to one {@link Frames#CHUNK}, each a frame of its own when sent.
     *
     * @return a new writer
     */
    public static Writer writer() {
        return new Writer();
    }

    /**
     * The number of bytes.
     *
     * @return the length
     */
    public int length() {
        return length;
    }

    int partCount() {
        return parts.length;
    }

    byte[] part(int i) {
        return parts[i];
    }

    /**
     * Reads the bytes from the start.
     *
     * @return a new stream
     */
    public InputStream stream() {
        return parts.length == 1 ? new ByteArrayInputStream(parts[0]) : new PartsInput();
    }

    /**
     * The bytes in one array (a copy unless the body is one array already): for small bodies and tests.
     *
     * @return the bytes
     */
    public byte[] toArray() {
        if (parts.length == 1) {
            return parts[0];
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Reads the parts in order. */
    private final class PartsInput extends InputStream {
        private int part;
        private int offset;
        private int remaining = length;

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (remaining == 0) {
                return len == 0 ? 0 : -1;
            }
            int done = 0;
            while (done < len && remaining > 0) {
                byte[] p = parts[part];
                int n = Math.min(len - done, p.length - offset);
                System.arraycopy(p, offset, b, off + done, n);
                done += n;
                remaining -= n;
                offset += n;
                if (offset == p.length) {
                    part++;
                    offset = 0;
                }
            }
            return done;
        }

        @Override
        public int available() {
            return remaining;
        }
    }

    /**
     * Builds a {@link Body}: the first array doubles up to one chunk, then full chunks are appended, so small
     * messages stay one small array and large ones never copy what they already hold.
     */
    public static final class Writer extends OutputStream {
        private final List<byte[]> full = new ArrayList<>();
        private byte[] current = new byte[FIRST];
        private int used;
        private long size;

        private Writer() {
        }

        /**
         * The bytes written so far.
         *
         * @return the count
         */
        public long size() {
            return size;
        }

        @Override
        public void write(int b) {
            room();
            current[used++] = (byte) b;
            size++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                room();
                int n = Math.min(len, current.length - used);
                System.arraycopy(b, off, current, used, n);
                used += n;
                off += n;
                len -= n;
                size += n;
            }
        }

        /** Makes room for at least one byte in {@code current}. */
        private void room() {
            if (used < current.length) {
                return;
            }
            if (current.length < Frames.CHUNK) {
                current = Arrays.copyOf(current, Math.min(Frames.CHUNK, current.length * 2));
            } else {
                full.add(current);
                current = new byte[Frames.CHUNK];
                used = 0;
            }
        }

        /**
         * The body written (the last array trimmed to its bytes, so every array is full).
         *
         * @return the body
         */
        public Body toBody() {
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a message of " + size + " bytes is too large for one body");
            }
            byte[][] parts = full.toArray(new byte[full.size() + (used > 0 || full.isEmpty() ? 1 : 0)][]);
            if (parts.length > full.size()) {
                parts[full.size()] = used == current.length ? current : Arrays.copyOf(current, used);
            }
            return new Body(parts, (int) size);
        }
    }
}
