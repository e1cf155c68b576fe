package io.flameec2.impl.pool;

import io.flameec2.FlamePoolConfig;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A pool of runners with FLAME's semantics: the contract between the engine and its users (executor,
 * interceptor, benchmarks). Every future returned completes exactly once.
 */
public interface Pool extends AutoCloseable {

    /**
     * The pool's configuration.
     *
     * @return the configuration
     */
    FlamePoolConfig config();

    /**
     * Runs one invocation: waits (FIFO) for a slot on a runner, booting runners as demand needs, then sends it.
     *
     * @param invocation what to run
     * @param timeout covers the wait for a slot and the remote work; {@code null} for the pool's timeout
     * @return completes with the result or exceptionally with a {@link io.flameec2.FlameException};
     *     cancelling it frees the waiter or interrupts the remote work
     */
    default CompletableFuture<Object> submit(FlameInvocation invocation, Duration timeout) {
        return submit(invocation, timeout, null);
    }

    /**
     * Runs one invocation on the runner that owns its key (see {@link io.flameec2.FlameKey}): it waits for a slot
     * on that runner rather than taking another; with no ready runner it waits like an unkeyed call.
     *
     * @param invocation what to run
     * @param timeout covers the wait for a slot and the remote work; {@code null} for the pool's timeout
     * @param key the routing key; {@code null} for an unkeyed call (least-loaded runner, FIFO)
     * @return as {@link #submit(FlameInvocation, Duration)}
     */
    CompletableFuture<Object> submit(FlameInvocation invocation, Duration timeout, Object key);

    /**
     * Places a long-running child: waits for a slot within the pool's timeout, then runs it without deadline.
     *
     * @param invocation what to run
     * @return completes once the child is running on a runner, or exceptionally when no slot came in time
     */
    default CompletableFuture<PlacedChild> placeChild(FlameInvocation invocation) {
        return placeChild(invocation, null);
    }

    /**
     * Places a long-running child on the runner that owns its key, as {@link #submit(FlameInvocation, Duration,
     * Object)} routes a call.
     *
     * @param invocation what to run
     * @param key the routing key; {@code null} for the least-loaded runner
     * @return completes once the child is running on a runner, or exceptionally when no slot came in time
     */
    CompletableFuture<PlacedChild> placeChild(FlameInvocation invocation, Object key);

    /**
     * A consistent view of the pool, for tests, logs and metrics.
     *
     * @return the snapshot
     */
    PoolSnapshot snapshot();

    /**
     * The pool's status as {@link io.flameec2.FlamePools} shows it: every runner, the load, the boot failures.
     *
     * @return the status, consistent at one instant
     */
    io.flameec2.status.PoolStatus status();

    /**
     * Stops taking calls (new ones fail with {@link io.flameec2.FlameRejectedException}), lets in-flight
     * calls drain up to {@code shutdown-timeout}, fails waiters, then stops every runner.
     *
     * @return completes when every runner is stopped
     */
    CompletableFuture<Void> shutdown();

    /** Shuts the pool down and waits for it. */
    @Override
    default void close() {
        shutdown().join();
    }

    /**
     * A child running on a runner.
     *
     * @param runnerId the runner it runs on
     * @param result completes when it ends; cancelling it interrupts the child on its runner
     */
    record PlacedChild(String runnerId, CompletableFuture<Object> result) {
    }

    /**
     * A view of the pool at one instant.
     *
     * @param runners runners booted or booting
     * @param booting runners still booting
     * @param inFlight calls running on runners
     * @param waiting callers waiting for a slot
     */
    record PoolSnapshot(int runners, int booting, int inFlight, int waiting) {
    }
}
