package io.flameec2.impl.exec;

import java.util.Objects;

/**
 * The {@link Invoker} in force in this JVM. Outside CDI it runs closures only; the CDI extension
 * installs its CDI-aware invoker at startup so bean methods resolve too. One holder, read per call by the
 * runner endpoint and the local backend, so both always execute the same way.
 */
public final class Invokers {

    private static volatile Invoker current = Invoker.closuresOnly();

    private Invokers() {
    }

    /**
     * The invoker in force.
     *
     * @return the installed invoker, or the closures-only one
     */
    public static Invoker current() {
        return current;
    }

    /**
     * Installs an invoker (the CDI extension does, at application start).
     *
     * @param invoker the invoker
     */
    public static void install(Invoker invoker) {
        current = Objects.requireNonNull(invoker, "invoker");
    }

    /** Restores the closures-only invoker (at application stop). */
    public static void reset() {
        current = Invoker.closuresOnly();
    }
}
