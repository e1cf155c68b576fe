package io.flameec2.spi;

import java.util.Optional;
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

    /**
     * Why the backend cannot serve now, if it knows before a boot fails: for EC2, its last API call failed in
     * a way retries do not mend soon (endpoint unreachable, credentials or permissions refused, service
     * errors). The pool's readiness check reports it. Cheap: called on every status snapshot.
     *
     * @return the problem, naming what failed, or empty when the backend saw none
     */
    default Optional<String> problem() {
        return Optional.empty();
    }

    /** Releases the backend's resources (clients, threads). Runners are stopped by the pool before. */
    @Override
    default void close() {
    }
}
