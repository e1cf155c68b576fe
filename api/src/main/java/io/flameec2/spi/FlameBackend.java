package io.flameec2.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Boots runners for one pool. The pool decides when to boot and stop; the backend decides how.
 * Implementations are thread-safe.
 */
public interface FlameBackend extends AutoCloseable {

    /**
     * Starts booting a runner. Returns at once; the future completes when the runner has joined and takes
     * calls, or exceptionally with a {@link io.flameec2.FlameBootException} (the backend then cleans up
     * whatever it started, such as an instance). The backend must fail the boot itself within
     * {@link RunnerBootSpec#config()}'s {@code boot-timeout}.
     *
     * @param spec what to boot
     * @param listener told when the runner is lost after it became ready
     * @return the runner, once ready
     */
    CompletableFuture<FlameRunnerHandle> boot(RunnerBootSpec spec, RunnerListener listener);

    /** Releases the backend's resources (clients, threads). Runners are stopped by the pool before. */
    @Override
    default void close() {
    }
}
