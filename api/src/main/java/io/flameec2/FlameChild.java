package io.flameec2;

import java.util.concurrent.CompletableFuture;

/**
 * A long-running task placed on a runner by {@link FlameExecutor#placeChild(FlameCallable)}. It occupies one
 * of the runner's {@code max-concurrency} slots until it ends, and it is never restarted.
 *
 * @param <T> the task's result type
 */
public interface FlameChild<T> {

    /**
     * The runner the child runs on.
     *
     * @return the runner id
     */
    String runnerId();

    /**
     * Completes with the task's result, or exceptionally with a {@link FlameException} when it fails, its
     * runner is lost, or it is cancelled.
     *
     * @return the result stage
     */
    CompletableFuture<T> result();

    /**
     * Stops the task on its runner (its thread is interrupted) and frees the slot.
     *
     * @return {@code true} if the task was still running
     */
    boolean cancel();
}
