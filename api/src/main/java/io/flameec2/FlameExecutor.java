package io.flameec2;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs closures on the runners of one pool, in the manner of an {@link java.util.concurrent.ExecutorService}.
 * Inject it: {@code @Inject FlameExecutor flame;} for the default pool, or
 * {@code @Inject @FlamePool("name") FlameExecutor flame;} for a named one.
 *
 * <p>Every call ends exactly once: with the task's result, or with a {@link FlameException} saying why not
 * ({@link FlameTimeoutException}, {@link FlameBootException}, {@link FlameRunnerLostException},
 * {@link FlameRemoteException}, {@link FlameRejectedException}). A timeout covers the wait for a free runner
 * and the remote execution; the remote work is interrupted when it passes.
 */
public interface FlameExecutor {

    /**
     * The pool this executor runs on.
     *
     * @return the pool name
     */
    String pool();

    /**
     * Runs the task on a runner and waits for its result, within the pool's {@code timeout}.
     *
     * @param task the task
     * @param <T> the result type
     * @return the task's result
     * @throws FlameException when the task does not complete with a result
     */
    <T> T call(FlameCallable<T> task);

    /**
     * Runs the task on a runner and waits for its result, within the given timeout.
     *
     * @param task the task
     * @param timeout the timeout for this call, overriding the pool's
     * @param <T> the result type
     * @return the task's result
     * @throws FlameException when the task does not complete with a result
     */
    <T> T call(FlameCallable<T> task, Duration timeout);

    /**
     * Runs the task on a runner without blocking the caller, within the pool's {@code timeout}.
     *
     * @param task the task
     * @param <T> the result type
     * @return a stage completing with the result or exceptionally with a {@link FlameException}; cancelling it
     *     interrupts the remote work
     */
    <T> CompletableFuture<T> submit(FlameCallable<T> task);

    /**
     * Runs the task on a runner without blocking the caller, within the given timeout.
     *
     * @param task the task
     * @param timeout the timeout for this call, overriding the pool's
     * @param <T> the result type
     * @return a stage completing with the result or exceptionally with a {@link FlameException}; cancelling it
     *     interrupts the remote work
     */
    <T> CompletableFuture<T> submit(FlameCallable<T> task, Duration timeout);

    /**
     * Runs the task on a runner and forgets it (FLAME's {@code cast}). Failures are logged, never thrown.
     *
     * @param task the task
     */
    void cast(FlameRunnable task);

    /**
     * Starts a long-running task on a runner (FLAME's {@code place_child}). It occupies one slot of the runner
     * until it ends or is cancelled, has no timeout, and is never restarted.
     *
     * @param task the task
     * @param <T> the result type
     * @return a handle to await or cancel the task
     * @throws FlameException when no runner can take the task within the pool's {@code timeout}
     */
    <T> FlameChild<T> placeChild(FlameCallable<T> task);

    /**
     * Runs all tasks in parallel, each on a runner of the pool, and returns when all have ended.
     *
     * @param tasks the tasks
     * @param <T> the result type
     * @return one completed future per task, in the tasks' order, each holding a result or a failure
     */
    <T> List<CompletableFuture<T>> invokeAll(Collection<? extends FlameCallable<T>> tasks);
}
