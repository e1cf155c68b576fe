package io.flameec2.impl.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the parent reads of the application's WAR, the same way wherever it reads it: where its classes and library
 * jars are, the names its class files hold (their constant pools), and answers remembered per WAR file.
 */
public final class WarFiles {

    /** The WAR's own classes. */
    public static final String CLASSES = "WEB-INF/classes/";
    /** The WAR's library jars. */
    public static final String LIB = "WEB-INF/lib/";

    /** Reads a WAR file. */
    @FunctionalInterface
    public interface Reading<T> {
        /**
         * Reads it.
         *
         * @param war the WAR file
         * @return what was read
         * @throws IOException when it cannot be read
         */
        T read(Path war) throws IOException;
    }

    private WarFiles() {
    }

    /**
     * Whether an entry of a WAR is one of its library jars ({@code WEB-INF/lib/x.jar}, not in a subdirectory).
     *
     * @param entry the entry's name
     * @return whether it is
     */
    public static boolean isLibrary(String entry) {
        return entry.startsWith(LIB) && entry.endsWith(".jar") && entry.indexOf('/', LIB.length()) < 0;
    }

    /**
     * Reads a WAR file once per version: the answer is remembered by its path, size and modification time, and
     * computed once even when asked for from several threads at once (pools created together).
     *
     * @param known the answers so far
     * @param war the WAR file
     * @param reading what to read
     * @param <T> the answer
     * @return the answer
     * @throws IOException when the WAR cannot be read
     */
    public static <T> T perFile(Map<List<Object>, T> known, Path war, Reading<T> reading) throws IOException {
        List<Object> key = List.of(war.toAbsolutePath(), Files.size(war), Files.getLastModifiedTime(war).toMillis());
        try {
            return known.computeIfAbsent(key, k -> {
                try {
                    return reading.read(war);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Whether bytes hold a sequence, such as a class file a type's internal name ({@code io/opentelemetry/}).
     *
     * @param data the bytes
     * @param part the sequence, not empty
     * @return whether it occurs
     */
    public static boolean contains(byte[] data, byte[] part) {
        return indexOf(data, part, 0) >= 0;
    }

    /**
     * Where a sequence first occurs in bytes, from an index on.
     *
     * @param data the bytes
     * @param part the sequence, not empty
     * @param from the first index to look at
     * @return its index, or -1
     */
    public static int indexOf(byte[] data, byte[] part, int from) {
        byte first = part[0];
        for (int i = Math.max(0, from), last = data.length - part.length; i <= last; i++) {
            if (data[i] == first && startsAt(data, i, part)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether bytes hold a sequence at an index.
     *
     * @param data the bytes
     * @param at the index
     * @param part the sequence
     * @return whether they do
     */
    public static boolean startsAt(byte[] data, int at, byte[] part) {
        if (at < 0 || at + part.length > data.length) {
            return false;
        }
        for (int j = 0; j < part.length; j++) {
            if (data[at + j] != part[j]) {
                return false;
            }
        }
        return true;
    }
}
