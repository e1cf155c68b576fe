package io.flameec2.impl.pool;

import io.flameec2.spi.Deadline;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One caller's call, from submission until its result: waiting for a slot, then running on a runner.
 *
 * <p>It ends exactly once because {@link #result} is completed only through {@code complete} or
 * {@code completeExceptionally}, which take effect once; the pool then frees its slot once, guarded by
 * {@link #released} under the pool's lock.
 */
final class Call {

    final FlameInvocation invocation;
    /** When the remote work must end; {@link Deadline#none()} for a placed child. */
    final Deadline deadline;
    /** When the wait for a slot ends. */
    final Deadline checkoutDeadline;
    /** The timeout the caller gave (or the pool's), for the timeout error. */
    final Duration timeout;
    /** For a placed child: completes once it runs; {@code null} for a plain call. */
    final CompletableFuture<Pool.PlacedChild> placed;
    /** The routing key ({@link io.flameec2.FlameKey}); {@code null} for an unkeyed call. */
    final Object key;
    /** The key's {@link KeyRouter#hash}, computed once on the caller's thread. */
    final long keyHash;
    final CompletableFuture<Object> result = new CompletableFuture<>();
    /** Follows the call for metrics and traces; set before the call is enqueued. */
    PoolTelemetry.CallObservation observation = PoolTelemetry.CallObservation.NONE;
    /** When it was submitted, on the pool's monotonic clock: queue wait and duration count from here. */
    long submitted;
    volatile Runner runner;
    volatile CompletableFuture<Object> remote;
    /** The checkout timeout while waiting, then the in-flight guard. */
    volatile ScheduledFuture<?> timer;
    /** Waiting for a slot, in the pool's queue or its owner's; guarded by the pool's lock. */
    boolean waiting;
    /** The runner whose keyed queue it waits in, {@code null} elsewhere; guarded by the pool's lock. */
    Runner parkedOn;
    /** Its slot was freed; guarded by the pool's lock. */
    boolean released;

    Call(FlameInvocation invocation, Deadline deadline, Deadline checkoutDeadline, Duration timeout,
            CompletableFuture<Pool.PlacedChild> placed, Object key) {
        this.invocation = invocation;
        this.key = key;
        this.keyHash = key == null ? 0 : KeyRouter.hash(key);
        this.deadline = deadline;
        this.checkoutDeadline = checkoutDeadline;
        this.timeout = timeout;
        this.placed = placed;
    }

    void fail(Throwable error) {
        result.completeExceptionally(error);
    }

    void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }
}
