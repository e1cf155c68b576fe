package io.flameec2.impl.bundle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Open Liberty installation this parent runs in, which its runners run with ({@code process}) or which is
 * packaged into their bundle ({@code ec2}): Liberty sets the system property {@value #PROPERTY} in its servers.
 */
public final class LibertyInstallation {

    /** The system property Open Liberty sets to its installation directory ({@code .../wlp/}). */
    public static final String PROPERTY = "wlp.install.dir";

    private LibertyInstallation() {
    }

    /**
     * The installation of the server this JVM is.
     *
     * @return its {@code wlp} directory, or empty outside Open Liberty (or without a {@code bin/server} there)
     */
    public static Optional<Path> ofThisServer() {
        return Optional.ofNullable(System.getProperty(PROPERTY)).filter(v -> !v.isBlank()).map(Path::of)
                .filter(wlp -> Files.isRegularFile(wlp.resolve("bin/server")));
    }
}
