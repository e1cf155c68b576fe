package io.flameec2.impl.cdi;

import io.flameec2.FlameCallable;
import io.flameec2.FlameChild;
import io.flameec2.FlameException;
import io.flameec2.FlameExecutor;
import io.flameec2.FlameRunnable;
import io.flameec2.impl.pool.Pool;
import io.flameec2.impl.pool.Pools;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link FlameExecutor} over one pool; the pool is looked up on first use (lazily on runners). One with a key
 * ({@link #withKey}) sends every task with it, so all of them go to the key's runner.
 */
final class PoolExecutor implements FlameExecutor {

    private static final Logger LOG = Logger.getLogger(PoolExecutor.class.getName());
    private final String name;
    private final Supplier<Pool> pool;
    /** The routing key of every task, {@code null} for none. */
    private final Object key;

    PoolExecutor(String name, Supplier<Pool> pool) {
        this(name, pool, null);
    }

    private PoolExecutor(String name, Supplier<Pool> pool, Object key) {
        this.name = name;
        this.pool = pool;
        this.key = key;
    }

    @Override
    public FlameExecutor withKey(Object key) {
        Objects.requireNonNull(key, "the routing key of pool '" + name + "'");
        return new PoolExecutor(name, pool, key);
    }

    @Override
    public String pool() {
        return name;
    }

    @Override
    public <T> T call(FlameCallable<T> task) {
        return await(submit(task));
    }

    @Override
    public <T> T call(FlameCallable<T> task, Duration timeout) {
        return await(submit(task, timeout));
    }

    @Override
    public <T> CompletableFuture<T> submit(FlameCallable<T> task) {
        return submit(task, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> submit(FlameCallable<T> task, Duration timeout) {
        return (CompletableFuture<T>) pool.get().submit(new FlameInvocation.Closure(task), timeout, key);
    }

    @Override
    public void cast(FlameRunnable task) {
        FlameCallable<Object> callable = () -> {
            task.run();
            return null;
        };
        fireAndForget(callable, "cast");
    }

    /** FLAME's cast: nobody waits for the result, so a failure is logged, never lost silently. */
    private void fireAndForget(FlameCallable<Object> task, String what) {
        submit(task).whenComplete((r, e) -> {
            if (e != null) {
                LOG.log(Level.WARNING, "flame " + what + " on pool '" + name + "' failed", unwrap(e));
            }
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> FlameChild<T> placeChild(FlameCallable<T> task) {
        Pool.PlacedChild placed = await(pool.get().placeChild(new FlameInvocation.Closure(task), key));
        return new FlameChild<>() {
            @Override
            public String runnerId() {
                return placed.runnerId();
            }

            @Override
            public CompletableFuture<T> result() {
                return (CompletableFuture<T>) placed.result();
            }

            @Override
            public boolean cancel() {
                return placed.result().cancel(true);
            }
        };
    }

    @Override
    public void execute(Runnable command) {
        Optional<CompletableFutureTasks.AsyncTask> async = CompletableFutureTasks.unwrap(command);
        if (async.isPresent()) {
            runAsyncTask(async.get());
            return;
        }
        if (command instanceof CompletableFuture.AsynchronousCompletionTask) {
            // thenApplyAsync(fn, flame) and the like: the JDK's task holds the stages, which cannot travel
            throw new RejectedExecutionException("CompletableFuture hands pool '" + name + "' a "
                    + command.getClass().getName() + ", which cannot run on a runner: only supplyAsync and runAsync"
                    + " (with a serializable supplier or runnable) are sent; chain the other stages without this"
                    + " executor, or submit a FlameCallable");
        }
        fireAndForget(SerializableTasks.of(command, null, name), "execute");
    }

    /** supplyAsync/runAsync: the caller's supplier on a runner, its result into the caller's future. */
    private void runAsyncTask(CompletableFutureTasks.AsyncTask async) {
        if (!async.workSerializable()) {
            String type = async.work() instanceof Runnable ? "Runnable" : "Supplier<T>";
            throw new RejectedExecutionException("the " + type + " " + async.work().getClass().getName()
                    + " given to CompletableFuture with pool '" + name + "' is not serializable, so it cannot run on"
                    + " a runner: cast it to (" + type + " & Serializable); what it captures must be serializable too");
        }
        CompletableFuture<Object> result = submit(async.remote());
        result.whenComplete((value, failure) -> {
            if (failure != null) {
                async.future().completeExceptionally(unwrap(failure));
            } else {
                async.future().complete(value);
            }
        });
        // cancelling the caller's future cancels the remote work
        async.future().whenComplete((v, e) -> {
            if (async.future().isCancelled()) {
                result.cancel(true);
            }
        });
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return submit(SerializableTasks.of(task, name));
    }

    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(SerializableTasks.of(task, null, name));
    }

    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        return submit(SerializableTasks.of(task, result, name));
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<CompletableFuture<T>> all = submitAll(tasks);
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((r, e) -> null).get();
        } catch (ExecutionException impossible) {
            throw new AssertionError(impossible); // handle() completes normally
        } catch (InterruptedException e) {
            all.forEach(f -> f.cancel(true));
            throw e;
        }
        return List.copyOf(all);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        List<CompletableFuture<T>> all = submitAll(tasks);
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((r, e) -> null)
                    .get(timeout, unit);
        } catch (ExecutionException impossible) {
            throw new AssertionError(impossible);
        } catch (TimeoutException e) {
            // as ExecutorService says: the tasks not done by then are cancelled
        } finally {
            all.forEach(f -> f.cancel(true)); // no effect on the done ones
        }
        return List.copyOf(all);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, null);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return invokeAny(tasks, Duration.ofNanos(unit.toNanos(timeout)));
    }

    private <T> T invokeAny(Collection<? extends Callable<T>> tasks, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        List<CompletableFuture<T>> all = submitAll(tasks);
        CompletableFuture<T> first = new CompletableFuture<>();
        AtomicInteger failed = new AtomicInteger();
        for (CompletableFuture<T> f : all) {
            f.whenComplete((value, failure) -> {
                if (failure == null) {
                    first.complete(value);
                } else if (failed.incrementAndGet() == all.size()) {
                    first.completeExceptionally(unwrap(failure));
                }
            });
        }
        try {
            return timeout == null ? first.get() : first.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            all.forEach(f -> f.cancel(true));
        }
    }

    /** Checks every task before sending any: one that cannot travel refuses the whole batch. */
    private <T> List<CompletableFuture<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        List<FlameCallable<T>> checked = tasks.stream().map(t -> SerializableTasks.of(t, name)).toList();
        return checked.stream().map(t -> this.<T>submit(t)).toList();
    }

    @Override
    public boolean isShutdown() {
        return state() != Pools.State.RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return state() == Pools.State.TERMINATED;
    }

    private Pools.State state() {
        try {
            pool.get();
            return Pools.State.RUNNING;
        } catch (Pools.StoppedException e) {
            return e.state();
        } catch (IllegalStateException notStartedYet) {
            return Pools.State.RUNNING; // before the deployment is validated: not shut down either
        }
    }

    /** Waits for a pool future and rethrows its failure as the {@link FlameException} it is. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new FlameException("interrupted while waiting for a flame call", e);
        } catch (ExecutionException e) {
            throw asFlame(e.getCause());
        } catch (CancellationException e) {
            throw new FlameException("the flame call was cancelled", e);
        }
    }

    static RuntimeException asFlame(Throwable t) {
        Throwable cause = unwrap(t);
        return cause instanceof RuntimeException re ? re : new FlameException(String.valueOf(cause), cause);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
