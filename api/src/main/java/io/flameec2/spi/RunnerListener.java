package io.flameec2.spi;

import io.flameec2.FlameRunnerLostException;

/** How a backend tells the pool that a ready runner went away on its own. */
@FunctionalInterface
public interface RunnerListener {

    /**
     * The runner died or stopped answering. The pool fails its in-flight calls with this exception (if the
     * backend has not already) and drops it. Called at most once per runner.
     *
     * @param runnerId the runner
     * @param cause how it was lost
     */
    void lost(String runnerId, FlameRunnerLostException cause);

    /**
     * The runner will be taken away soon and said so ahead of time (an EC2 spot interruption notice or
     * rebalance recommendation): the pool sends it no new calls, boots a replacement at once if demand,
     * {@code min} or spares need one, and lets its in-flight calls finish until it stops or is
     * {@linkplain #lost lost}. Called at most once per runner, never after {@link #lost}.
     *
     * @param runnerId the runner
     * @param reason why, for logs and for the failure of calls that cannot finish in time
     *     (for example {@code "spot interruption"})
     */
    default void retiring(String runnerId, String reason) {
    }
}
