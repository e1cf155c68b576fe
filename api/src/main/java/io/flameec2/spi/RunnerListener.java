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
}
