package io.flameec2.impl.bundle;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Get-or-build of content-addressed files and directories (a runner server, a bundle zip): the path names
 * the content, so whatever exists there is complete and current. Several pools of one parent, and several
 * parents of one user, may want the same entry at once: builds are serialized per entry by a lock in this
 * JVM plus a file lock for other JVMs, each builder re-checks once it holds the lock, and an entry is built
 * under a staging name and appears by an atomic rename, so nobody ever sees half of one.
 */
public final class ContentCache {

    /** Locks of this JVM: a file lock is held per JVM, and a second channel's {@code lock()} would throw. */
    private static final ConcurrentHashMap<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

    /**
     * An entry of the cache.
     *
     * @param path where it is
     * @param built whether this call built it ({@code false}: it was there, or another builder made it)
     */
    public record Entry(Path path, boolean built) {
    }

    /** Builds an entry. */
    @FunctionalInterface
    public interface Builder {
        /**
         * Creates the entry at {@code staging} (a file or a directory), which does not exist yet and is in the
         * same directory as the target.
         *
         * @param staging where to create it
         * @throws IOException when it cannot be built
         */
        void build(Path staging) throws IOException;
    }

    private ContentCache() {
    }

    /**
     * The entry at {@code target}, built by {@code builder} unless it exists.
     *
     * @param target the content-addressed path of the entry; its parent directory must exist
     * @param builder what builds it
     * @return the entry
     * @throws IOException when it had to be built and could not be
     */
    public static Entry getOrBuild(Path target, Builder builder) throws IOException {
        Path normalized = target.toAbsolutePath().normalize();
        if (Files.exists(normalized)) {
            return new Entry(normalized, false);
        }
        synchronized (JVM_LOCKS.computeIfAbsent(normalized, k -> new Object())) {
            Path lockFile = normalized.resolveSibling("." + normalized.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                if (Files.exists(normalized)) {
                    return new Entry(normalized, false); // another builder finished while we waited
                }
                Path staging = normalized.resolveSibling("." + normalized.getFileName() + ".building-"
                        + ProcessHandle.current().pid());
                FileTrees.delete(staging); // left by a crashed build of a process with the same pid
                try {
                    builder.build(staging);
                    Files.move(staging, normalized, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    FileTrees.delete(staging);
                }
                return new Entry(normalized, true);
            }
        }
    }
}
