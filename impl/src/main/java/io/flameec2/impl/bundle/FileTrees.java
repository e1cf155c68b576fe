package io.flameec2.impl.bundle;

import java.io.IOException;
import java.nio.file.CopyOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Copying and deleting directory trees: the runner servers, their trainings and their runners' output. */
final class FileTrees {

    private FileTrees() {
    }

    /**
     * Copies a tree, leaving out what {@code skip} names: a skipped directory with all it holds.
     *
     * @param from the tree
     * @param to where its copy goes (made with its parents)
     * @param skip paths relative to {@code from} to leave out
     * @param options how each file is copied, such as {@code COPY_ATTRIBUTES}
     * @throws IOException when something cannot be read or written
     */
    static void copy(Path from, Path to, Predicate<Path> skip, CopyOption... options) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path rel = from.relativize(dir);
                if (skip.test(rel)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(rel.toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path rel = from.relativize(file);
                if (!skip.test(rel)) {
                    Files.copy(file, to.resolve(rel.toString()), options);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Deletes a file or a directory tree, if it exists.
     *
     * @param root what to delete
     * @throws IOException when something cannot be deleted
     */
    static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Deletes as much of a tree as it can, where what is left is harmless (a training run's leftovers, an ended
     * runner's workarea): every file it can, past those it cannot.
     *
     * @param root what to delete
     */
    static void deleteQuietly(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // gone already, or partly: nothing depends on it
        }
    }
}
