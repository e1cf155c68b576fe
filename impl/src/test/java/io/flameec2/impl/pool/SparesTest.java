package io.flameec2.impl.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flameec2.event.RunnerBooting;
import io.flameec2.event.RunnerStopped;
import io.flameec2.event.StopReason;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@code flame.pools.<p>.spare}: idle runners kept above demand, so a burst does not wait for a boot. */
class SparesTest extends EngineTest {

    private static FlameInvocation task() {
        return new FlameInvocation.Closure(() -> "ok");
    }

    private long spareBoots() {
        return events.stream().filter(e -> e instanceof RunnerBooting b && b.spare()).count();
    }

    private long stopped(StopReason reason) {
        return events.stream().filter(e -> e instanceof RunnerStopped s && s.reason() == reason).count();
    }

    @Test
    void aBurstOfTwiceMaxConcurrencyCallsStartsOnTheSparesWithoutWaitingForABoot() {
        pool(config(4, 3).spare(2));
        await().atMost(5, SECONDS).until(() -> backend.live() == 2); // booted with no demand at all
        await().atMost(5, SECONDS).until(() -> spareBoots() == 2);
        backend.autoBoot = false; // from now on a call that needed a boot would wait forever
        backend.holdCalls = true;
        List<CompletableFuture<Object>> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            burst.add(pool.submit(task(), null));
            // dispatched on the caller's thread, before submit returned: no wait at all
            assertEquals(i + 1, pool.snapshot().inFlight(), "call " + i + " did not start at once");
            assertEquals(0, pool.snapshot().waiting());
        }
        backend.runners.values().forEach(r -> assertEquals(3, r.held.size(), r.id));
        // both spares are busy now: two more boot as spares, within max
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 4 && spareBoots() == 4);
        // the seventh call waits for one of them
        CompletableFuture<Object> seventh = pool.submit(task(), null);
        assertEquals(1, pool.snapshot().waiting());
        backend.complete(backend.boots.get(2));
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 7);
        backend.runners.values().forEach(r -> r.held.forEach(FakeBackend.HeldCall::finish));
        burst.forEach(c -> assertEquals("ok", c.join()));
        assertEquals("ok", seventh.join());
        backend.complete(backend.boots.get(3)); // so that shutdown has no boot to wait for
    }

    @Test
    void sparesStayIdleWhileTheRunnersAboveThemIdleOut() {
        pool(config(4, 1).spare(2).idleShutdownAfter(Duration.ofMillis(200)));
        await().atMost(5, SECONDS).until(() -> backend.live() == 2);
        backend.holdCalls = true;
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(pool.submit(task(), null));
        }
        await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 4);
        assertEquals(4, pool.snapshot().runners(), "max bounds the spares");
        backend.runners.values().forEach(r -> r.held.forEach(FakeBackend.HeldCall::finish));
        calls.forEach(CompletableFuture::join);
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.IDLE) == 2);
        // the two left are the spares: well past idle-shutdown-after, they are still there
        await().during(Duration.ofMillis(800)).atMost(5, SECONDS)
                .until(() -> pool.snapshot().runners() == 2 && stopped(StopReason.IDLE) == 2);
        assertEquals(2, backend.live());
    }

    @Test
    void singleUseSparesServeEachCallAtOnceAndAreReplaced() {
        pool(config(3, 5).singleUse(true).spare(2));
        await().atMost(5, SECONDS).until(() -> backend.live() == 2);
        List<FakeBackend.FakeRunner> spares = List.copyOf(backend.runners.values());
        backend.holdCalls = true;
        CompletableFuture<Object> a = pool.submit(task(), null);
        CompletableFuture<Object> b = pool.submit(task(), null);
        assertEquals(2, pool.snapshot().inFlight(), "both calls took a spare at once");
        spares.forEach(r -> assertEquals(1, r.held.size(), r.id));
        // both spares are spent: one more boots as a spare (max 3)
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 3);
        backend.runners.values().forEach(r -> r.held.forEach(FakeBackend.HeldCall::finish));
        a.join();
        b.join();
        await().atMost(5, SECONDS).until(() -> stopped(StopReason.SINGLE_USE) == 2);
        // the spent runners' capacity comes back as spares
        await().atMost(5, SECONDS).until(() -> backend.live() == 2 && pool.snapshot().runners() == 2);
    }
}
