package io.flameec2.impl.cdi;

import io.flameec2.FlameCallable;
import io.flameec2.FlameChild;
import io.flameec2.FlameException;
import io.flameec2.FlameExecutor;
import io.flameec2.FlameRunnable;
import io.flameec2.impl.pool.Pool;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@link FlameExecutor} over one pool; the pool is looked up on first use (lazily on runners). */
final class PoolExecutor implements FlameExecutor {

    private static final Logger LOG = Logger.getLogger(PoolExecutor.class.getName());
    private final String name;
    private final Supplier<Pool> pool;

    PoolExecutor(String name, Supplier<Pool> pool) {
        this.name = name;
        this.pool = pool;
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
        return (CompletableFuture<T>) pool.get().submit(new FlameInvocation.Closure(task), timeout);
    }

    @Override
    public void cast(FlameRunnable task) {
        FlameCallable<Object> callable = () -> {
            task.run();
            return null;
        };
        submit(callable).whenComplete((r, e) -> {
            if (e != null) {
                LOG.log(Level.WARNING, "flame cast on pool '" + name + "' failed", unwrap(e));
            }
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> FlameChild<T> placeChild(FlameCallable<T> task) {
        Pool.PlacedChild placed = await(pool.get().placeChild(new FlameInvocation.Closure(task)));
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
    public <T> List<CompletableFuture<T>> invokeAll(Collection<? extends FlameCallable<T>> tasks) {
        List<CompletableFuture<T>> all = tasks.stream().map(t -> this.<T>submit(t)).toList();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((r, e) -> null).join();
        return all;
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
