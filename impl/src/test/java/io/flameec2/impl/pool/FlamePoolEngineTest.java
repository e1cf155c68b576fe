package io.flameec2.impl.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameBootException;
import io.flameec2.FlameCallable;
import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.FlameTimeoutException;
import io.flameec2.event.RunnerReady;
import io.flameec2.event.RunnerStopped;
import io.flameec2.event.StopReason;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FlamePoolEngineTest extends EngineTest {

    private static FlameInvocation task(FlameCallable<?> callable) {
        return new FlameInvocation.Closure(callable);
    }

    private static Throwable failure(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, SECONDS));
        return e.getCause();
    }

    private long stopped(StopReason reason) {
        return events.stream().filter(e -> e instanceof RunnerStopped s && s.reason() == reason).count();
    }

    @Test
    void scalesFromZeroAndReturnsTheResult() throws Exception {
        pool(config(2, 1));
        assertEquals(0, pool.snapshot().runners());
        assertEquals(42, pool.submit(task(() -> 6 * 7), null).get(10, SECONDS));
        assertEquals(1, backend.boots.size());
        await().atMost(5, SECONDS).until(() -> events.stream().anyMatch(RunnerReady.class::isInstance));
    }

    @Test
    void bootsInParallelAsDemandNeedsUpToMax() {
        backend.autoBoot = false;
        pool(config(4, 2));
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            calls.add(pool.submit(task(() -> "ok"), null));
        }
        // 7 callers, 2 slots per runner: 4 runners, all booting at once (not one after another).
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 4);
        assertEquals(4, pool.snapshot().booting());
        backend.boots.forEach(backend::complete);
        calls.forEach(c -> assertEquals("ok", c.join()));
        assertEquals(4, backend.boots.size());
    }

    @Test
    void picksTheLeastLoadedRunner() {
        backend.holdCalls = true;
        pool(config(2, 10).min(2));
        await().atMost(5, SECONDS).until(() -> backend.live() == 2);
        for (int i = 0; i < 6; i++) {
            pool.submit(task(() -> 1), null);
        }
        await().atMost(5, SECONDS).until(() -> backend.runners.values().stream().mapToInt(r -> r.held.size()).sum() == 6);
        backend.runners.values().forEach(r -> assertEquals(3, r.held.size(), r.id));
    }

    @Test
    void atMaxCallersWaitInFifoOrder() {
        backend.holdCalls = true;
        backend.maxConcurrencyAllowed = 1;
        pool(config(1, 1));
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            calls.add(pool.submit(task(() -> order.add(n)), null));
            // each caller must be queued before the next one arrives
            await().atMost(5, SECONDS).until(() -> pool.snapshot().waiting() + pool.snapshot().inFlight() == n + 1);
        }
        FakeBackend.FakeRunner runner = backend.runners.values().iterator().next();
        for (int i = 0; i < 5; i++) {
            int served = i + 1;
            await().atMost(5, SECONDS).until(() -> runner.held.size() == served);
            runner.held.get(i).finish();
        }
        calls.forEach(CompletableFuture::join);
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        assertEquals(0, backend.concurrencyViolations.get());
    }

    @Test
    void aWaiterTimesOutAndIsRemoved() {
        backend.holdCalls = true;
        pool(config(1, 1));
        pool.submit(task(() -> 1), null);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 1);
        long start = System.nanoTime();
        Throwable t = failure(pool.submit(task(() -> 2), Duration.ofMillis(300)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertInstanceOf(FlameTimeoutException.class, t);
        assertTrue(t.getMessage().contains("'p'"), t.getMessage());
        assertTrue(ms >= 250, "timed out too early: " + ms);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().waiting() == 0);
    }

    @Test
    void aFailedBootFailsTheCallersWaitingOnIt() {
        backend.autoBoot = false;
        pool(config(1, 2));
        CompletableFuture<Object> a = pool.submit(task(() -> 1), null);
        CompletableFuture<Object> b = pool.submit(task(() -> 2), null);
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 1);
        backend.fail(backend.boots.get(0), "no capacity");
        FlameBootException e = assertInstanceOf(FlameBootException.class, failure(a));
        assertTrue(e.getMessage().contains("no capacity"), e.getMessage());
        assertInstanceOf(FlameBootException.class, failure(b));
        assertEquals(0, pool.snapshot().runners());
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.BOOT_FAILED) == 1);
        // the slot is free again: the next call boots a new runner
        backend.autoBoot = true;
        assertEquals(3, pool.submit(task(() -> 3), null).join());
    }

    @Test
    void aLostRunnerFailsExactlyItsCallsAndCapacityIsReplaced() {
        backend.holdCalls = true;
        pool(config(2, 1));
        CompletableFuture<Object> a = pool.submit(task(() -> "a"), null);
        CompletableFuture<Object> b = pool.submit(task(() -> "b"), null);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 2);
        FakeBackend.FakeRunner victim = backend.runners.values().stream().filter(r -> r.held.size() == 1)
                .findFirst().orElseThrow();
        FakeBackend.FakeRunner survivor = backend.runners.values().stream().filter(r -> r != victim)
                .findFirst().orElseThrow();
        victim.lose();
        CompletableFuture<Object> onVictim = victim.held.get(0).future() == null ? null : a.isDone() ? a : b;
        FlameRunnerLostException lost = assertInstanceOf(FlameRunnerLostException.class, failure(onVictim));
        assertEquals(victim.id, lost.runnerId());
        CompletableFuture<Object> other = onVictim == a ? b : a;
        assertTrue(!other.isDone(), "a call on another runner must not fail");
        survivor.held.get(0).finish();
        other.join();
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.LOST) == 1);
        backend.holdCalls = false;
        assertEquals("c", pool.submit(task(() -> "c"), null).join());
        assertTrue(backend.boots.size() >= 2);
    }

    @Test
    void idleRunnersAboveMinStopButMinRunnersStay() {
        pool(config(3, 1).min(1).idleShutdownAfter(Duration.ofMillis(200)));
        await().atMost(5, SECONDS).until(() -> backend.live() == 1);
        backend.holdCalls = true;
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(pool.submit(task(() -> 1), null));
        }
        await().atMost(5, SECONDS).until(() -> backend.runners.values().stream().mapToInt(r -> r.held.size()).sum() == 3);
        backend.runners.values().forEach(r -> r.held.forEach(FakeBackend.HeldCall::finish));
        calls.forEach(CompletableFuture::join);
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.IDLE) == 2);
        assertEquals(1, pool.snapshot().runners());
        // the event is published before the backend is asked to stop the runner
        await().atMost(5, SECONDS).until(() -> backend.live() == 1);
    }

    @Test
    void minRunnersStopAfterMinIdleShutdownAfter() {
        pool(config(1, 1).min(1).idleShutdownAfter(Duration.ofMillis(100)).minIdleShutdownAfter(Duration.ofMillis(400)));
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.IDLE) == 1);
        assertEquals(0, pool.snapshot().runners());
    }

    @Test
    void singleUseRunnersStopAfterOneCall() {
        pool(config(2, 5).singleUse(true));
        assertEquals(1, pool.submit(task(() -> 1), null).join());
        assertEquals(2, pool.submit(task(() -> 2), null).join());
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.SINGLE_USE) == 2);
        assertEquals(2, backend.boots.size());
        backend.runners.values().forEach(r -> assertEquals(1, r.served.get(), r.id));
    }

    @Test
    void aNeverAnsweringRunnerStillEndsTheCallAfterItsDeadline() {
        backend.holdCalls = true;
        pool(config(1, 1));
        long start = System.nanoTime();
        Throwable t = failure(pool.submit(task(() -> 1), Duration.ofMillis(200)));
        assertInstanceOf(FlameTimeoutException.class, t);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 200 + FlamePoolEngine.IN_FLIGHT_GRACE.toMillis() + 3000, "took " + ms);
        // the remote work was cancelled, and the slot freed
        FakeBackend.FakeRunner runner = backend.runners.values().iterator().next();
        assertTrue(runner.held.get(0).future().isCancelled());
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 0);
    }

    @Test
    void cancellingFreesTheWaiterOrInterruptsTheRemoteWork() {
        backend.holdCalls = true;
        pool(config(1, 1));
        CompletableFuture<Object> running = pool.submit(task(() -> 1), null);
        CompletableFuture<Object> waiting = pool.submit(task(() -> 2), null);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().waiting() == 1);
        waiting.cancel(true);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().waiting() == 0);
        running.cancel(true);
        FakeBackend.FakeRunner runner = backend.runners.values().iterator().next();
        await().atMost(5, SECONDS).until(() -> runner.held.get(0).future().isCancelled());
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 0);
        backend.holdCalls = false;
        assertEquals(3, pool.submit(task(() -> 3), null).join());
    }

    @Test
    void aChildHoldsItsSlotUntilItEnds() {
        backend.holdCalls = true;
        pool(config(1, 1));
        Pool.PlacedChild child = pool.placeChild(task(() -> "child")).join();
        FakeBackend.FakeRunner runner = backend.runners.get(child.runnerId());
        assertEquals(java.util.Optional.empty(), runner.held.get(0).call().timeLeft(), "a child has no deadline");
        CompletableFuture<Object> next = pool.submit(task(() -> "next"), null);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().waiting() == 1);
        runner.held.get(0).finish();
        assertEquals("child", child.result().join());
        await().atMost(5, SECONDS).until(() -> runner.held.size() == 2);
        runner.held.get(1).finish();
        assertEquals("next", next.join());
    }

    @Test
    void shutdownDrainsInFlightRejectsWaitersAndStopsRunners() {
        backend.holdCalls = true;
        pool(config(1, 1).min(1));
        CompletableFuture<Object> running = pool.submit(task(() -> "done"), null);
        CompletableFuture<Object> waiting = pool.submit(task(() -> "never"), null);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().waiting() == 1);
        CompletableFuture<Void> down = pool.shutdown();
        assertInstanceOf(FlameRejectedException.class, failure(waiting));
        assertInstanceOf(FlameRejectedException.class, failure(pool.submit(task(() -> 0), null)));
        assertTrue(!down.isDone(), "shutdown must wait for the in-flight call");
        FakeBackend.FakeRunner runner = backend.runners.values().iterator().next();
        runner.held.get(0).finish();
        assertEquals("done", running.join());
        down.orTimeout(10, SECONDS).join();
        assertSame(StopReason.POOL_SHUTDOWN, runner.stoppedFor);
        assertTrue(backend.closed);
        pool = null;
    }

    @Test
    void shutdownWaitsForTheBootsItStartedAndStopsTheirRunners() {
        backend.autoBoot = false;
        pool(config(1, 1));
        CompletableFuture<Object> waiting = pool.submit(task(() -> 1), null);
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 1);
        CompletableFuture<Void> down = pool.shutdown();
        assertInstanceOf(FlameRejectedException.class, failure(waiting));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !down.isDone());
        assertTrue(!backend.closed, "the backend must stay open while one of its boots is under way");
        FakeBackend.FakeRunner late = backend.complete(backend.boots.get(0));
        down.orTimeout(10, SECONDS).join();
        assertSame(StopReason.POOL_SHUTDOWN, late.stoppedFor);
        assertTrue(backend.closed);
        pool = null;
    }

    @Test
    void aBackendAnsweringSynchronouslyDrainsALongQueueWithoutRecursion() {
        backend.holdCalls = true;
        pool(config(1, 1).timeout(Duration.ofSeconds(30)));
        CompletableFuture<Object> first = pool.submit(task(() -> -1), null);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 1);
        List<CompletableFuture<Object>> queued = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            int n = i;
            queued.add(pool.submit(task(() -> n), null));
        }
        backend.holdCalls = false;
        backend.synchronous = true;
        backend.runners.values().iterator().next().held.get(0).finish();
        assertEquals(-1, first.join());
        for (int i = 0; i < queued.size(); i++) {
            assertEquals(i, queued.get(i).join());
        }
    }
}
