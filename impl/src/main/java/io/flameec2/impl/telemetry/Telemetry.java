package io.flameec2.impl.telemetry;

import io.flameec2.impl.pool.PoolTelemetry;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds OpenTelemetry, when the application has it, and holds the runner-side tracing in force in this JVM.
 * OpenTelemetry's classes are touched only by {@link OtelTelemetry}, which is loaded only after this class has
 * seen that the API is visible: an application without MicroProfile Telemetry never loads it, so it needs
 * no OpenTelemetry jar.
 */
public final class Telemetry {

    private static final Logger LOG = Logger.getLogger(Telemetry.class.getName());
    static final String OTEL_API = "io.opentelemetry.api.OpenTelemetry";

    private static volatile RunnerTracing runnerTracing = RunnerTracing.NONE;

    private Telemetry() {
    }

    /**
     * Whether the OpenTelemetry API is visible to an application (its server has MicroProfile Telemetry),
     * without loading anything of it.
     *
     * @param loader the application's class loader
     * @return whether it sees the API
     */
    public static boolean apiVisibleTo(ClassLoader loader) {
        try {
            Class.forName(OTEL_API, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * What the application's OpenTelemetry reports to, when it has one.
     *
     * @param loader the application's class loader
     * @param beans resolves a bean type to its instance in the application (CDI), or {@code null}
     * @return the telemetry, or empty when OpenTelemetry is not visible to the application (its type here is
     *     {@link Hooks}, never {@code OtelTelemetry}: a caller naming that class would load it)
     */
    public static Optional<Hooks> find(ClassLoader loader, Function<Class<?>, Object> beans) {
        if (!apiVisibleTo(loader)) {
            LOG.fine(() -> "FlameEC2 telemetry off: " + OTEL_API + " is not visible to the application");
            return Optional.empty();
        }
        try {
            return Optional.of(OtelTelemetry.create(beans));
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "FlameEC2 telemetry off: OpenTelemetry could not be set up", e);
            return Optional.empty();
        }
    }

    /**
     * The pool telemetry of an optional OpenTelemetry.
     *
     * @param otel the telemetry found
     * @return it, or {@link PoolTelemetry#NONE}
     */
    public static PoolTelemetry pools(Optional<Hooks> otel) {
        return otel.<PoolTelemetry>map(o -> o).orElse(PoolTelemetry.NONE);
    }

    /** The pool and runner hooks of one application's telemetry, closed when the application stops. */
    public interface Hooks extends PoolTelemetry, RunnerTracing, AutoCloseable {
        @Override
        void close();
    }

    /**
     * The runner-side tracing in force.
     *
     * @return the installed one, or {@link RunnerTracing#NONE}
     */
    public static RunnerTracing runnerTracing() {
        return runnerTracing;
    }

    /**
     * Installs the runner-side tracing (the CDI extension does, at application start).
     *
     * @param tracing the tracing
     */
    public static void install(RunnerTracing tracing) {
        runnerTracing = tracing;
    }

    /** Back to no tracing (at application stop). */
    public static void reset() {
        runnerTracing = RunnerTracing.NONE;
    }
}
