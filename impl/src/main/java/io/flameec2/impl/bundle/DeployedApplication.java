package io.flameec2.impl.bundle;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the application this code runs in was deployed from: its WAR file, or the directory of an expanded
 * WAR. A parent builds its runners' bundle from it (FLAME's code sync: runners run the parent's own code), so
 * no bundle needs to be built and configured by hand.
 *
 * <p>It is found from where the application's class loader loads the runner WAR's listener, which every
 * application overlays into its own {@code WEB-INF/classes}: Open Liberty answers
 * {@code wsjar:file:/.../shop.war!/WEB-INF/classes/...} for an archive and
 * {@code file:/.../shop.war/WEB-INF/classes/...} for an expanded WAR.
 */
public final class DeployedApplication {

    /** A class every application has in its own {@code WEB-INF/classes}: the runner WAR's overlaid listener. */
    static final String MARKER = "io/flameec2/runner/FlameRunnerListener.class";
    private static final String CLASSES = "WEB-INF/classes/" + MARKER;

    private static volatile Path recorded;

    private DeployedApplication() {
    }

    /**
     * Sets the application's WAR where no class loader can tell it (a plain JVM acting as a parent, tests).
     *
     * @param war the WAR file or expanded WAR directory, or {@code null} to find it again from class loaders
     */
    public static void record(Path war) {
        recorded = war == null ? null : war.toAbsolutePath();
    }

    /**
     * The deployed WAR file or expanded WAR directory of the application whose class loader this is.
     *
     * @param loader the application's class loader
     * @return the location, or empty when the application is not a deployed WAR
     */
    public static Optional<Path> locate(ClassLoader loader) {
        if (recorded != null) {
            return Optional.of(recorded);
        }
        URL url = loader == null ? null : loader.getResource(MARKER);
        return url == null ? Optional.empty() : fromResource(url.toString());
    }

    /**
     * The WAR of a resource URL of its {@code WEB-INF/classes}.
     *
     * @param url such as {@code wsjar:file:/srv/apps/shop.war!/WEB-INF/classes/io/...}
     * @return the WAR file or directory, when it exists
     */
    static Optional<Path> fromResource(String url) {
        String text = url;
        int bang = text.indexOf("!/");
        if (bang >= 0) {
            text = text.substring(text.indexOf(':') + 1, bang); // wsjar:file:/x.war!/... -> file:/x.war
        } else if (text.endsWith("/" + CLASSES)) {
            text = text.substring(0, text.length() - CLASSES.length() - 1);
        } else {
            return Optional.empty(); // loose classes (a development server): not one WAR
        }
        if (!text.startsWith("file:")) {
            return Optional.empty();
        }
        try {
            Path path = Path.of(new URI(text.replace(" ", "%20")));
            boolean war = Files.isRegularFile(path) || Files.isDirectory(path.resolve("WEB-INF"));
            return war ? Optional.of(path) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
