package io.flameec2.impl.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.flameec2.FlamePoolConfig;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #19 bug 2: the pool's deadlines are monotonic time. The engine reads no wall clock at all, so an NTP
 * step cannot reach them; what a test can show is that the deadline a runner gets is measured on the
 * injected monotonic clock alone, even when its reading jumps across the wrap-around that
 * {@link System#nanoTime()} is allowed.
 */
class MonotonicDeadlinesTest {

    private final FakeBackend backend = new FakeBackend();
    /** Starts 1 s below the largest reading: the jump in the test crosses the wrap-around. */
    private final AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 1_000_000_000L);
    private FlamePoolEngine pool;

    @AfterEach
    void shutdown() {
        pool.shutdown().orTimeout(10, SECONDS).join();
    }

    @Test
    void aWaiterDispatchedLaterGetsOnlyTheTimeLeftOnTheMonotonicClock() {
        backend.autoBoot = false;
        backend.holdCalls = true;
        pool = new FlamePoolEngine(FlamePoolConfig.builder("p").max(1).maxConcurrency(1)
                .shutdownTimeout(Duration.ofSeconds(1)).build(), backend, e -> { }, clock::get);
        CompletableFuture<Object> call = pool.submit(new FlameInvocation.Closure(() -> 1), Duration.ofSeconds(10));
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 1);

        clock.addAndGet(Duration.ofSeconds(4).toNanos()); // 4 s of waiting for the boot, wrapping the reading
        backend.complete(backend.boots.get(0));

        FakeBackend.FakeRunner runner = backend.runners.values().iterator().next();
        await().atMost(5, SECONDS).until(() -> runner.held.size() == 1);
        assertEquals(Duration.ofSeconds(6), runner.held.get(0).call().timeLeft().orElseThrow());
        assertFalse(call.isDone(), "the pool must not have timed the call out");
        runner.held.get(0).finish();
        assertEquals(1, call.join());
    }

    @Test
    void aPlacedChildHasNoDeadline() {
        backend.holdCalls = true;
        pool = new FlamePoolEngine(FlamePoolConfig.builder("p").max(1).maxConcurrency(1)
                .shutdownTimeout(Duration.ofSeconds(1)).build(), backend, e -> { }, clock::get);
        Pool.PlacedChild child = pool.placeChild(new FlameInvocation.Closure(() -> "child")).join();
        FakeBackend.FakeRunner runner = backend.runners.get(child.runnerId());
        assertEquals(java.util.Optional.empty(), runner.held.get(0).call().timeLeft());
        runner.held.get(0).finish();
        assertEquals("child", child.result().join());
    }
}
