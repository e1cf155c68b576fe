package io.flameec2.impl.telemetry;

import io.flameec2.impl.bundle.DeployedApplication;
import io.flameec2.impl.bundle.WarFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Whether an application's own code uses the OpenTelemetry API: some class of its WAR ({@code WEB-INF/classes}, or
 * a jar of {@code WEB-INF/lib}) names a type of {@code io.opentelemetry}. FlameEC2's own classes that name one (this
 * package's) do not count: they use the API only after checking that it is visible.
 *
 * <p>Why: a runner whose application uses the API needs MicroProfile Telemetry loaded even with telemetry off, or
 * that code fails (a bean injecting a {@code Tracer} does not deploy; {@code Span.current()} fails at its call),
 * but the feature costs a third of a runner's boot. A parent server with {@code mpTelemetry-2.0} makes the API
 * visible to every application, so visibility alone would give every runner the feature. A name of a class is in
 * every class file that uses it (its constant pool), so a byte search of the class files finds every use.
 */
public final class OpenTelemetryUse {

    private static final Logger LOG = Logger.getLogger(OpenTelemetryUse.class.getName());
    private static final byte[] PACKAGE = "io/opentelemetry/".getBytes(StandardCharsets.US_ASCII);
    /** The one package of FlameEC2 whose classes name OpenTelemetry types; an application's may be io.flameec2.x. */
    private static final String OWN = "io/flameec2/impl/telemetry/";
    /** By WAR file, size and modification time: a parent's pools share the answer. */
    private static final Map<List<Object>, Boolean> KNOWN = new ConcurrentHashMap<>();

    private OpenTelemetryUse() {
    }

    /**
     * Whether the runners of an application need the OpenTelemetry API: it is visible to the application (its
     * server has MicroProfile Telemetry) and the application's WAR uses it, or the WAR cannot be found or read
     * (then visibility decides, as the safe side).
     *
     * @param loader the application's class loader
     * @return whether its runners need the API
     */
    public static boolean byApplicationOf(ClassLoader loader) {
        if (!Telemetry.apiVisibleTo(loader)) {
            return false;
        }
        Optional<Path> war = DeployedApplication.locate(loader);
        if (war.isEmpty()) {
            LOG.fine("FlameEC2: the application's WAR is unknown; runners load the OpenTelemetry API, as it is visible");
            return true;
        }
        try {
            return in(war.get());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "FlameEC2: runners load the OpenTelemetry API, as the WAR " + war.get()
                    + " could not be checked", e);
            return true;
        }
    }

    /**
     * Whether the application of a WAR uses the OpenTelemetry API.
     *
     * @param war a WAR file or an expanded WAR directory
     * @return whether a class of it, not FlameEC2's, names a type of {@code io.opentelemetry}
     * @throws UncheckedIOException when the WAR cannot be read
     */
    public static boolean in(Path war) {
        try {
            return Files.isDirectory(war) ? logged(war, inExpanded(war))
                    : WarFiles.perFile(KNOWN, war, w -> logged(w, inArchive(w)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the application's WAR " + war, e);
        }
    }

    private static boolean logged(Path war, boolean uses) {
        LOG.info(() -> uses
                ? "FlameEC2: classes of " + war + " use the OpenTelemetry API: runners load mpTelemetry-2.0"
                : "FlameEC2: no class of " + war + " uses the OpenTelemetry API: runners start without"
                        + " mpTelemetry-2.0 unless telemetry is on (OTEL_SDK_DISABLED=false in the pool's env)");
        return uses;
    }

    private static boolean inArchive(Path war) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile())) {
            for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
                ZipEntry e = all.nextElement();
                String name = e.getName();
                try (InputStream in = zip.getInputStream(e)) {
                    if (name.startsWith(WarFiles.CLASSES) && uses(name.substring(WarFiles.CLASSES.length()), in)
                            || WarFiles.isLibrary(name) && jarUses(in)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean inExpanded(Path war) throws IOException {
        Path classes = war.resolve(WarFiles.CLASSES);
        if (Files.isDirectory(classes)) {
            try (Stream<Path> all = Files.walk(classes)) {
                for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                    try (InputStream in = Files.newInputStream(p)) {
                        if (uses(classes.relativize(p).toString().replace('\\', '/'), in)) {
                            return true;
                        }
                    }
                }
            }
        }
        Path lib = war.resolve(WarFiles.LIB);
        if (Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.list(lib)) {
                for (Path p : (Iterable<Path>) jars.filter(j -> WarFiles.isLibrary(WarFiles.LIB + j.getFileName()))::iterator) {
                    try (InputStream in = Files.newInputStream(p)) {
                        if (jarUses(in)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    private static boolean jarUses(InputStream jar) throws IOException {
        ZipInputStream in = new ZipInputStream(jar); // not closed: closing it would close the WAR's entry stream
        for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
            if (uses(e.getName(), in)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a class file, by its path in its archive, names an OpenTelemetry type; other files do not. */
    private static boolean uses(String path, InputStream in) throws IOException {
        return path.endsWith(".class") && !path.startsWith(OWN) && WarFiles.contains(in.readAllBytes(), PACKAGE);
    }
}
