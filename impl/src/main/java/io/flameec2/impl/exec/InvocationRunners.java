package io.flameec2.impl.exec;

import java.util.Objects;

/**
 * The {@link InvocationRunner} in force in this JVM. Outside CDI it runs closures only; the CDI extension
 * installs its CDI-aware runner at startup so bean methods resolve too. One holder, read per call by the
 * runner endpoint and the local backend, so both always execute the same way.
 */
public final class InvocationRunners {

    private static volatile InvocationRunner current = InvocationRunner.closuresOnly();

    private InvocationRunners() {
    }

    /**
     * The runner in force.
     *
     * @return the installed runner, or the closures-only one
     */
    public static InvocationRunner current() {
        return current;
    }

    /**
     * Installs a runner (the CDI extension does, at application start).
     *
     * @param runner the runner
     */
    public static void install(InvocationRunner runner) {
        current = Objects.requireNonNull(runner, "runner");
    }

    /** Restores the closures-only runner (at application stop). */
    public static void reset() {
        current = InvocationRunner.closuresOnly();
    }
}
