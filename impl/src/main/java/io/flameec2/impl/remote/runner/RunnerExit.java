package io.flameec2.impl.remote.runner;

import java.time.Duration;

/**
 * How a runner ends its process once it stopped: the runner WAR exits the JVM (stopping Open Liberty, and on
 * EC2 the instance), halting it if that takes longer than {@code grace}; tests record the reason.
 */
@FunctionalInterface
public interface RunnerExit {

    /**
     * Ends the runner; called once, from a background thread.
     *
     * @param reason why, for the log
     * @param grace how long an orderly exit may take before the process must be gone anyway (what is left of
     *     the shutdown-timeout)
     */
    void exit(String reason, Duration grace);
}
