package io.flameec2.impl.telemetry;

import io.flameec2.impl.bundle.DeployedApplication;
import io.flameec2.impl.bundle.WarFiles;
import io.flameec2.impl.bundle.WarScan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whether an application's own code uses the OpenTelemetry API: some class of its WAR ({@code WEB-INF/classes}, or
 * a jar of {@code WEB-INF/lib}) names a type of {@code io.opentelemetry}. The classes of FlameEC2's implementation
 * ({@code io.flameec2.impl}) do not count: this package's use the API only after checking that it is visible.
 *
 * <p>Why: a runner whose application uses the API needs MicroProfile Telemetry loaded even with telemetry off, or
 * that code fails (a bean injecting a {@code Tracer} does not deploy; {@code Span.current()} fails at its call),
 * but the feature costs a third of a runner's boot. A parent server with {@code mpTelemetry-2.0} makes the API
 * visible to every application, so visibility alone would give every runner the feature. A name of a class is in
 * every class file that uses it (its constant pool), so a byte search of the class files finds every use
 * ({@link WarScan}, the one pass over the WAR that also decides the runners' layout).
 */
public final class OpenTelemetryUse {

    private static final Logger LOG = Logger.getLogger(OpenTelemetryUse.class.getName());
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
            return Files.isDirectory(war) ? logged(war, WarScan.of(war).usesOpenTelemetry())
                    : WarFiles.perFile(KNOWN, war, w -> logged(w, WarScan.of(w).usesOpenTelemetry()));
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
}
