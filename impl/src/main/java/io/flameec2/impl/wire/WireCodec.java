package io.flameec2.impl.wire;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.lang.invoke.SerializedLambda;
import java.util.Objects;

/**
 * Java serialization of call bodies and replies, always read through a {@link WireFilter}. Classes are
 * resolved with a given class loader (the application's, so lambdas of the same WAR resolve on the
 * runner); dynamic proxies are refused outright. Lambdas are written as {@link WireLambda} (their capturing
 * class by name) and rebuilt on reading. Thread-safe.
 */
public final class WireCodec {

    private final WireFilter filter;

    /**
     * Creates a codec.
     *
     * @param filter the allow-list and limits
     */
    public WireCodec(WireFilter filter) {
        this.filter = Objects.requireNonNull(filter, "filter");
    }

    /**
     * The filter.
     *
     * @return the allow-list and limits
     */
    public WireFilter filter() {
        return filter;
    }

    /**
     * Serializes a value.
     *
     * @param value the value
     * @return the bytes
     * @throws WireException (400) naming the class that is not serializable, or (413) when too large
     */
    public byte[] encode(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        encode(value, bytes);
        return bytes.toByteArray();
    }

    /**
     * Serializes a value into a stream, stopping as soon as it passes the size limit (a value far too large
     * is not serialized whole only to be refused).
     *
     * @param value the value
     * @param target where the bytes go
     * @throws WireException (400) naming the class that is not serializable, or (413) when too large
     */
    public void encode(Object value, OutputStream target) {
        Limited limited = new Limited(target, filter.maxBytes());
        try (ObjectOutputStream out = new LambdaOutput(limited)) {
            out.writeObject(value);
        } catch (TooLarge e) {
            throw new WireException(413, describe(value) + " serializes to more than " + filter.maxBytes()
                    + " bytes (" + WireFilter.MAX_BYTES + ")", null);
        } catch (NotSerializableException e) {
            throw new WireException(400, "cannot send " + describe(value) + ": class " + e.getMessage()
                    + " is not serializable", e);
        } catch (IOException e) {
            throw new WireException(400, "cannot serialize " + describe(value) + ": " + e, e);
        }
    }

    /**
     * Deserializes a value through the filter.
     *
     * @param <T> the expected type
     * @param bytes the bytes
     * @param loader the class loader resolving classes
     * @param expected the expected type of the top object
     * @return the value
     * @throws WireException (400) naming the rejected class or limit, or when the bytes are malformed
     */
    public <T> T decode(byte[] bytes, ClassLoader loader, Class<T> expected) {
        return decode(new ByteArrayInputStream(bytes), bytes.length, loader, expected);
    }

    /**
     * Deserializes a value of known length through the filter.
     *
     * @param <T> the expected type
     * @param bytes the bytes
     * @param length how many bytes {@code bytes} holds (no array may claim more elements than fit)
     * @param loader the class loader resolving classes
     * @param expected the expected type of the top object
     * @return the value
     * @throws WireException (400) naming the rejected class or limit, or when the bytes are malformed
     */
    public <T> T decode(InputStream bytes, long length, ClassLoader loader, Class<T> expected) {
        WireFilter.StreamFilter streamFilter = filter.newStreamFilter(length);
        Object value;
        try (FilteredInput in = new FilteredInput(bytes, loader, streamFilter)) {
            in.setObjectInputFilter(streamFilter);
            value = in.readObject();
        } catch (InvalidClassException e) {
            throw new WireException(400, "refused to deserialize: "
                    + streamFilter.rejection().orElse(String.valueOf(e.getMessage())), null);
        } catch (ClassNotFoundException e) {
            throw new WireException(400, "cannot deserialize: class " + e.getMessage() + " is not found here", null);
        } catch (InvalidObjectException e) {
            throw new WireException(400, "cannot deserialize: " + streamFilter.rejection().orElse(e.getMessage()), null);
        } catch (IOException | RuntimeException e) {
            String why = streamFilter.rejection().orElse(e.toString());
            throw new WireException(400, "cannot deserialize: " + why, null);
        }
        // null is a value (a task's result) where anything is expected; an envelope (a call, a reply) is never null
        if (value == null ? expected != Object.class : !expected.isInstance(value)) {
            throw new WireException(400, "expected a " + expected.getName() + ", got "
                    + (value == null ? "null" : value.getClass().getName()), null);
        }
        return expected.cast(value);
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    /** The size limit was passed while writing. */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("too large");
        }
    }

    /** Counts what passes and fails once it is more than the limit. */
    private static final class Limited extends FilterOutputStream {
        private final long limit;
        private long written;

        Limited(OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
            out.write(b, off, len);
        }

        private void count(int n) throws TooLarge {
            written += n;
            if (written > limit) {
                throw new TooLarge();
            }
        }
    }

    /** Writes lambdas as {@link WireLambda}: no {@code Class} of a capturing class in the stream. */
    private static final class LambdaOutput extends ObjectOutputStream {
        LambdaOutput(OutputStream out) throws IOException {
            super(out);
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            // called with what a lambda's writeReplace returned, for every lambda of the graph
            return obj instanceof SerializedLambda lambda ? WireLambda.of(lambda) : obj;
        }
    }

    /** Resolves classes with the given loader; refuses proxies; rebuilds lambdas. */
    private static final class FilteredInput extends ObjectInputStream {
        private final ClassLoader loader;
        private final WireFilter.StreamFilter filter;

        FilteredInput(InputStream in, ClassLoader loader, WireFilter.StreamFilter filter) throws IOException {
            super(in);
            this.loader = loader;
            this.filter = filter;
            enableResolveObject(true);
        }

        @Override
        protected Object resolveObject(Object obj) throws IOException {
            // a WireLambda got here only through the filter (refused where lambdas are not allowed)
            if (obj instanceof WireLambda wire) {
                Object lambda = wire.resolve(loader, filter.patterns());
                filter.admitRebuiltLambda(lambda.getClass());
                return lambda;
            }
            return obj;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // primitives and classes only the JDK sees: fall through
                }
            }
            return super.resolveClass(desc);
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
            throw new InvalidClassException("dynamic proxies are never deserialized: " + String.join(",", interfaces));
        }
    }
}
