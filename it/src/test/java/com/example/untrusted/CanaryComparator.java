package com.example.untrusted;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * The gadget half of the {@code PriorityQueue} chain (the shape of ysoserial's CommonsCollections2 and
 * CommonsBeanutils1): {@code PriorityQueue.readObject} sorts its elements with this comparator, so merely
 * reading the queue runs {@link #compare}, which here leaves a canary file instead of running a command.
 */
public final class CanaryComparator implements Comparator<Object>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String canary;

    /**
     * Creates the comparator.
     *
     * @param canary the file that comparing writes
     */
    public CanaryComparator(String canary) {
        this.canary = canary;
    }

    @Override
    public int compare(Object a, Object b) {
        try {
            Files.writeString(Path.of(canary), "gadget chain reached compare()");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }
}
