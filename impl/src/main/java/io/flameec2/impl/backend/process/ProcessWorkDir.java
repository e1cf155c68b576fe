package io.flameec2.impl.backend.process;

import io.flameec2.FlameConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * The directory the {@code process} backend unpacks runner bundles into and runs them from (the {@code ec2}
 * backend packages the parent's own bundle there too). Whoever can write
 * there runs code as this parent's user, with its environment, so it must be this user's alone: created with
 * mode 0700, and an existing one is used only when it is a real directory (no symbolic link), owned by this
 * user and closed to group and others. Otherwise the backend refuses, naming the directory and the key.
 */
public final class ProcessWorkDir {

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private ProcessWorkDir() {
    }

    /**
     * The default: per user under the temporary directory, {@code <java.io.tmpdir>/flame-process-<user>}.
     *
     * @return the path
     */
    public static Path defaultDir() {
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "flame-process-" + user);
    }

    /**
     * Creates the directory (mode 0700) or checks the existing one.
     *
     * @param dir the directory
     * @param key the full config key it came from, for the error
     * @return the directory
     * @throws FlameConfigurationException when it exists but is not this user's alone, or cannot be created
     */
    public static Path prepare(Path dir, String key) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            // made earlier (by this user, we hope): checked below like any existing directory
        } catch (IOException e) {
            throw new FlameConfigurationException(key, "cannot create the runner directory " + dir + ": " + e);
        }
        check(dir, key);
        return dir;
    }

    /**
     * Checks that the directory is a directory, owned by this user, with no permission for group or others.
     *
     * @param dir the directory
     * @param key the full config key it came from, for the error
     * @throws FlameConfigurationException naming the directory, what is wrong and the key
     */
    public static void check(Path dir, String key) {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            throw new FlameConfigurationException(key, "the process backend needs a POSIX file system to keep"
                    + " its runner directory " + dir + " private");
        } catch (IOException e) {
            throw new FlameConfigurationException(key, "cannot read the runner directory " + dir + ": " + e);
        }
        String fix = "; runners are unpacked and run from there as this user, so anyone able to change it could"
                + " run code as this user: remove it, or set " + key + " to a directory of this user with mode 0700";
        if (attrs.isSymbolicLink() || !attrs.isDirectory()) {
            throw new FlameConfigurationException(key, "the runner directory " + dir + " is "
                    + (attrs.isSymbolicLink() ? "a symbolic link" : "not a directory") + fix);
        }
        UserPrincipal me = currentUser(dir);
        if (!attrs.owner().equals(me)) {
            throw new FlameConfigurationException(key, "the runner directory " + dir + " is owned by "
                    + attrs.owner().getName() + ", not by " + me.getName() + fix);
        }
        if (!OWNER_ONLY.containsAll(attrs.permissions())) {
            throw new FlameConfigurationException(key, "the runner directory " + dir + " has mode "
                    + PosixFilePermissions.toString(attrs.permissions()) + ", open to group or others" + fix);
        }
    }

    /** The user this JVM runs as: the owner of a file it creates (user.name can be wrong in containers). */
    private static UserPrincipal currentUser(Path near) {
        try {
            Path probe = Files.createTempFile("flame-owner", ".probe");
            try {
                return Files.getOwner(probe);
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell which user this JVM runs as (checking " + near + ")", e);
        }
    }
}
