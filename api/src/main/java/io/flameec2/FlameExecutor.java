package io.flameec2;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs closures on the runners of one pool: an {@link ExecutorService} whose tasks run on runners. Inject it:
 * {@code @Inject FlameExecutor flame;} for the default pool, or {@code @Inject @FlamePool("name") FlameExecutor
 * flame;} for a named one, and hand it to code typed {@code ExecutorService} or {@code Executor}, such as
 * {@code CompletableFuture.supplyAsync(supplier, flame)}.
 *
 * <p>Tasks travel to the runner serialized, with what they capture: declare closures as {@link FlameCallable}
 * or {@link FlameRunnable}, or cast them ({@code (Callable<T> & Serializable) () -> ...}). A task that is not
 * serializable is refused at once with a {@link RejectedExecutionException} saying so. The runner runs it in
 * the same application (its CDI beans, configuration and classes), on a thread of its own: no request, session,
 * security or transaction context of the caller travels with it, only the captured values.
 *
 * <p>As with a Jakarta Concurrency managed executor, the lifecycle belongs to the container: {@link #shutdown},
 * {@link #shutdownNow} and {@link #awaitTermination} throw {@link IllegalStateException}; {@link #isShutdown}
 * tells whether the pool has been shut down (the application is stopping).
 *
 * <p>Every call ends exactly once: with the task's result, or with a {@link FlameException} saying why not
 * ({@link FlameTimeoutException}, {@link FlameBootException}, {@link FlameRunnerLostException},
 * {@link FlameRemoteException}, {@link FlameRejectedException}); through a {@link Future} it is the cause of the
 * {@link ExecutionException}. A timeout covers the wait for a free runner and the remote execution; the remote
 * work is interrupted when it passes.
 */
public interface FlameExecutor extends ExecutorService {

    /**
     * The pool this executor runs on.
     *
     * @return the pool name
     */
    String pool();

    /**
     * This executor with sticky routing: every task submitted through the returned executor (whatever the method,
     * {@code call}, {@code submit}, {@code placeChild}, {@code execute}) runs on the runner that owns the key, as
     * {@link FlameKey @FlameKey} describes: the same runner for equal keys while it lives, chosen by rendezvous
     * hashing over the ready runners; when that runner is full the task waits for a slot on it rather than going
     * elsewhere (so a hot key is served by one runner); while no runner is ready, the key goes to whichever
     * runner boots. The key stays in the parent: it only chooses the runner and need not be serializable.
     *
     * <pre>{@code
     * String text = flame.withKey(language).call(() -> Models.forLanguage(language).translate(input));
     * }</pre>
     *
     * @param key the routing key, compared with {@link Object#equals} and hashed with {@link Object#hashCode}
     * @return an executor of the same pool that routes by {@code key}
     * @throws NullPointerException when {@code key} is {@code null}
     */
    FlameExecutor withKey(Object key);

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
     * Runs a serializable task on a runner, in the pool's {@code timeout}; failures are logged, as with
     * {@link #cast}. The tasks {@code CompletableFuture.supplyAsync(supplier, flame)} and
     * {@code runAsync(runnable, flame)} hand this method are recognized: their supplier or runnable (which must
     * be serializable) runs on the runner and completes the caller's future.
     *
     * @param command the task
     * @throws RejectedExecutionException when the task is not serializable, saying how to declare it
     */
    @Override
    void execute(Runnable command);

    /**
     * Runs a serializable task on a runner, in the pool's {@code timeout}.
     *
     * @param task the task; a lambda typed {@code Callable} must be cast to {@code Callable<T> & Serializable}
     * @param <T> the result type
     * @return the future result; cancelling it interrupts the remote work
     * @throws RejectedExecutionException when the task is not serializable, saying how to declare it
     */
    @Override
    <T> CompletableFuture<T> submit(Callable<T> task);

    /**
     * Runs a serializable task on a runner, in the pool's {@code timeout}.
     *
     * @param task the task
     * @return a future completing with {@code null}; cancelling it interrupts the remote work
     * @throws RejectedExecutionException when the task is not serializable, saying how to declare it
     */
    @Override
    CompletableFuture<?> submit(Runnable task);

    /**
     * Runs a serializable task on a runner, in the pool's {@code timeout}.
     *
     * @param task the task
     * @param result the result to complete with, serializable
     * @param <T> the result type
     * @return a future completing with {@code result}; cancelling it interrupts the remote work
     * @throws RejectedExecutionException when the task or the result is not serializable
     */
    @Override
    <T> CompletableFuture<T> submit(Runnable task, T result);

    /**
     * Runs all tasks in parallel, each on a runner of the pool, and returns when all have ended. All tasks are
     * checked before any is sent: one that is not serializable refuses the whole batch.
     *
     * @param tasks the tasks
     * @param <T> the result type
     * @return one completed future per task, in the tasks' order, each holding a result or a failure
     * @throws InterruptedException when interrupted while waiting; the unfinished tasks are cancelled
     * @throws RejectedExecutionException when a task is not serializable
     */
    @Override
    <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException;

    /**
     * Runs all tasks in parallel and returns when all have ended or the timeout has passed; the tasks then
     * unfinished are cancelled.
     *
     * @param tasks the tasks
     * @param timeout the most time to wait
     * @param unit its unit
     * @param <T> the result type
     * @return one future per task, in the tasks' order, each done
     * @throws InterruptedException when interrupted while waiting; the unfinished tasks are cancelled
     * @throws RejectedExecutionException when a task is not serializable
     */
    @Override
    <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException;

    /**
     * Runs all tasks in parallel and returns the result of the first that succeeds; the others are cancelled.
     *
     * @param tasks the tasks, at least one
     * @param <T> the result type
     * @return the first successful result
     * @throws ExecutionException when every task failed, with the last failure as its cause
     * @throws InterruptedException when interrupted while waiting; the tasks are cancelled
     * @throws RejectedExecutionException when a task is not serializable
     */
    @Override
    <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException;

    /**
     * Runs all tasks in parallel and returns the result of the first that succeeds within the timeout; the
     * others are cancelled.
     *
     * @param tasks the tasks, at least one
     * @param timeout the most time to wait
     * @param unit its unit
     * @param <T> the result type
     * @return the first successful result
     * @throws ExecutionException when every task failed, with the last failure as its cause
     * @throws TimeoutException when none succeeded in time
     * @throws InterruptedException when interrupted while waiting; the tasks are cancelled
     * @throws RejectedExecutionException when a task is not serializable
     */
    @Override
    <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException;

    /**
     * Not allowed: the container owns the executor's lifecycle (the pool stops with the application).
     *
     * @throws IllegalStateException always
     */
    @Override
    default void shutdown() {
        throw lifecycleBelongsToTheContainer("shutdown");
    }

    /**
     * Not allowed: the container owns the executor's lifecycle (the pool stops with the application).
     *
     * @return never
     * @throws IllegalStateException always
     */
    @Override
    default List<Runnable> shutdownNow() {
        throw lifecycleBelongsToTheContainer("shutdownNow");
    }

    /**
     * Not allowed: the container owns the executor's lifecycle (the pool stops with the application).
     *
     * @param timeout unused
     * @param unit unused
     * @return never
     * @throws IllegalStateException always
     */
    @Override
    default boolean awaitTermination(long timeout, TimeUnit unit) {
        throw lifecycleBelongsToTheContainer("awaitTermination");
    }

    /**
     * Whether the pool has been shut down (its application is stopping or stopped); tasks are then refused.
     *
     * @return whether the pool is shut down
     */
    @Override
    boolean isShutdown();

    /**
     * Whether the pool has shut down and its runners are gone.
     *
     * @return whether the pool is terminated
     */
    @Override
    boolean isTerminated();

    private IllegalStateException lifecycleBelongsToTheContainer(String method) {
        return new IllegalStateException(method + "() is not allowed on the FlameExecutor of pool '" + pool()
                + "': as for a managed executor, its lifecycle belongs to the container (the pool stops with the"
                + " application)");
    }
}
