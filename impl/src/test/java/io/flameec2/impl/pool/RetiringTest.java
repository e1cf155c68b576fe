package io.flameec2.impl.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameRunnerLostException;
import io.flameec2.event.RunnerRetiring;
import io.flameec2.event.RunnerStopped;
import io.flameec2.event.StopReason;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.status.RunnerStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A runner the backend says will be taken away ({@code RunnerListener.retiring}, an EC2 spot interruption): no
 * new calls, a replacement at once, its calls drain, then it stops {@link StopReason#INTERRUPTED}.
 */
class RetiringTest extends EngineTest {

    private static FlameInvocation task(String value) {
        return new FlameInvocation.Closure(() -> value);
    }

    private List<RunnerStopped> stopped(StopReason reason) {
        return events.stream().filter(e -> e instanceof RunnerStopped s && s.reason() == reason)
                .map(RunnerStopped.class::cast).toList();
    }

    private FakeBackend.FakeRunner onlyRunner() {
        assertEquals(1, backend.runners.size());
        return backend.runners.values().iterator().next();
    }

    private FakeBackend.FakeRunner other(FakeBackend.FakeRunner than) {
        return backend.runners.values().stream().filter(r -> r != than).findFirst().orElseThrow();
    }

    private RunnerStatus.State state(String runnerId) {
        return pool.status().runners().stream().filter(r -> r.id().equals(runnerId)).findFirst().orElseThrow().state();
    }

    @Test
    void aRetiringRunnerTakesNoNewCallIsReplacedAndStopsInterruptedOnceItsCallsEnd() {
        backend.holdCalls = true;
        pool(config(2, 2).min(1));
        await().atMost(5, SECONDS).until(() -> backend.live() == 1);
        FakeBackend.FakeRunner old = onlyRunner();
        CompletableFuture<Object> a = pool.submit(task("a"), null);
        CompletableFuture<Object> b = pool.submit(task("b"), null);
        assertEquals(2, old.held.size());

        old.retire("spot interruption");
        assertEquals(RunnerStatus.State.RETIRING, state(old.id));
        // events reach observers on the pool's event thread: await the first, then check it was the only one
        await().atMost(5, SECONDS).until(() -> events.stream().anyMatch(RunnerRetiring.class::isInstance));
        assertEquals(List.of(new RunnerRetiring("p", old.id, "spot interruption", 2)),
                events.stream().filter(RunnerRetiring.class::isInstance).toList(), "told once, with its calls");
        // min needs a runner and the retiring one no longer counts: the replacement boots at once
        await().atMost(5, SECONDS).until(() -> backend.live() == 2);
        FakeBackend.FakeRunner replacement = other(old);
        CompletableFuture<Object> c = pool.submit(task("c"), null);
        await().atMost(5, SECONDS).until(() -> replacement.held.size() == 1);
        assertEquals(2, old.held.size(), "a retiring runner must get no new call");

        old.held.get(0).finish();
        assertEquals("a", a.join());
        assertNull(old.stoppedFor, "stopped while a call was still running on it");
        old.held.get(1).finish();
        assertEquals("b", b.join());
        await().atMost(5, SECONDS).until(() -> old.stoppedFor == StopReason.INTERRUPTED);
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.INTERRUPTED).size() == 1);
        assertTrue(stopped(StopReason.INTERRUPTED).get(0).detail().contains("spot interruption"));
        replacement.held.get(0).finish();
        assertEquals("c", c.join());
        assertEquals(1, pool.snapshot().runners());
    }

    @Test
    void atMaxTheReplacementBootsBeforeTheRetiringRunnerIsGone() {
        backend.holdCalls = true;
        pool(config(1, 1));
        CompletableFuture<Object> running = pool.submit(task("running"), null);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 1);
        FakeBackend.FakeRunner old = onlyRunner();
        CompletableFuture<Object> waiting = pool.submit(task("waiting"), null);
        assertEquals(1, pool.snapshot().waiting());

        old.retire("spot interruption");
        // the waiting caller needs a runner: one boots although max is 1 and the old one still runs a call
        await().atMost(5, SECONDS).until(() -> backend.runners.size() == 2);
        FakeBackend.FakeRunner replacement = other(old);
        await().atMost(5, SECONDS).until(() -> replacement.held.size() == 1);
        assertFalse(running.isDone());
        assertNull(old.stoppedFor);
        replacement.held.get(0).finish();
        old.held.get(0).finish();
        assertEquals("waiting", waiting.join());
        assertEquals("running", running.join());
        await().atMost(5, SECONDS).until(() -> old.stoppedFor == StopReason.INTERRUPTED);
    }

    @Test
    void aBusyRetiringRunnerIsReplacedAtOnceWithNoCallerWaiting() {
        backend.holdCalls = true;
        pool(config(2, 2));
        CompletableFuture<Object> running = pool.submit(task("running"), null);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 1);
        FakeBackend.FakeRunner old = onlyRunner();

        old.retire("spot interruption");
        // no min, no spare, nobody waiting: the runner was in use, so its successor boots now
        await().atMost(5, SECONDS).until(() -> backend.live() == 2);
        FakeBackend.FakeRunner replacement = other(old);
        CompletableFuture<Object> next = pool.submit(task("next"), null);
        await().atMost(5, SECONDS).until(() -> replacement.held.size() == 1);
        replacement.held.get(0).finish();
        assertEquals("next", next.join());
        old.held.get(0).finish();
        assertEquals("running", running.join());
        await().atMost(5, SECONDS).until(() -> old.stoppedFor == StopReason.INTERRUPTED);
    }

    @Test
    void anIdleRetiringRunnerIsNotReplacedWithoutDemand() {
        pool(config(2, 1));
        pool.submit(task("warm"), null).join();
        // the caller hears its result before the engine counts the call done: idle means the engine's count is 0
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 0);
        FakeBackend.FakeRunner old = onlyRunner();
        old.retire("rebalance recommendation");
        await().atMost(5, SECONDS).until(() -> old.stoppedFor == StopReason.INTERRUPTED);
        assertEquals(1, backend.runners.size(), "an idle pool boots nothing for a runner nobody was using");
    }

    @Test
    void anIdleRetiringRunnerStopsAtOnce() {
        pool(config(2, 1).min(1));
        await().atMost(5, SECONDS).until(() -> backend.live() == 1);
        FakeBackend.FakeRunner old = onlyRunner();
        old.retire("rebalance recommendation");
        await().atMost(5, SECONDS).until(() -> old.stoppedFor == StopReason.INTERRUPTED);
        await().atMost(5, SECONDS).until(() -> backend.live() == 1 && backend.runners.size() == 2);
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.INTERRUPTED).size() == 1);
        assertTrue(stopped(StopReason.INTERRUPTED).get(0).detail().contains("rebalance recommendation"));
    }

    @Test
    void aRetiringRunnerGoneBeforeItsCallsEndFailsThemWithTheLossAndStopsInterruptedAsAnnounced() {
        backend.holdCalls = true;
        pool(config(1, 2));
        CompletableFuture<Object> a = pool.submit(task("a"), null);
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 1);
        FakeBackend.FakeRunner old = onlyRunner();
        old.retire("spot interruption");
        old.lose();
        ExecutionException e = assertThrows(ExecutionException.class, () -> a.get(10, SECONDS));
        FlameRunnerLostException lost = assertInstanceOf(FlameRunnerLostException.class, e.getCause());
        assertEquals(old.id, lost.runnerId());
        assertTrue(lost.getMessage().contains("killed by the test"), lost.getMessage());
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.INTERRUPTED).size() == 1);
        assertEquals(List.of(), stopped(StopReason.LOST), "an announced end is no loss in the stop reasons");
    }

    @Test
    void aSingleUseRunnerAndAPlacedChildDrainTheSameWay() {
        backend.holdCalls = true;
        pool(config(2, 1).singleUse(true));
        Pool.PlacedChild child = pool.placeChild(task("child")).join();
        FakeBackend.FakeRunner old = backend.runners.get(child.runnerId());
        old.retire("spot interruption");
        CompletableFuture<Object> next = pool.submit(task("next"), null);
        await().atMost(5, SECONDS).until(() -> backend.runners.size() == 2);
        FakeBackend.FakeRunner fresh = other(old);
        await().atMost(5, SECONDS).until(() -> fresh.held.size() == 1);
        assertNull(old.stoppedFor, "the child still runs");
        old.held.get(0).finish();
        assertEquals("child", child.result().join());
        await().atMost(5, SECONDS).until(() -> old.stoppedFor == StopReason.INTERRUPTED);
        fresh.held.get(0).finish();
        assertEquals("next", next.join());
        await().atMost(5, SECONDS).until(() -> fresh.stoppedFor == StopReason.SINGLE_USE);
    }

    @Test
    void aRunnerRetiringWhileItBootsNeverTakesACallAndIsReplaced() {
        backend.autoBoot = false;
        pool(config(1, 1));
        CompletableFuture<Object> call = pool.submit(task("x"), null);
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 1);
        backend.boots.get(0).listener().retiring(backend.boots.get(0).spec().runnerId(), "spot interruption");
        // the waiting call needs a runner the retiring one will never be
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 2);
        FakeBackend.FakeRunner old = backend.complete(backend.boots.get(0));
        await().atMost(5, SECONDS).until(() -> old.stoppedFor == StopReason.INTERRUPTED);
        assertEquals(0, old.served.get());
        backend.complete(backend.boots.get(1));
        assertEquals("x", call.join());
    }
}
