package io.flameec2;

import java.io.Serializable;

/**
 * A task without a result that can travel to a runner. A lambda assigned to this type is serializable;
 * whatever it captures must be serializable too.
 */
@FunctionalInterface
public interface FlameRunnable extends Serializable {

    /**
     * Runs the task on the runner.
     *
     * @throws Exception any failure; it is reported to the caller as a {@link FlameRemoteException}
     */
    void run() throws Exception;
}
