package io.flameec2.impl.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random workloads with boot failures, lost runners and cancellations; each seed is reproducible.
 * Checks FLAME's invariants: never more than max runners, never more than max-concurrency calls on a runner,
 * every call ends exactly once (and runs at most once), and no caller waits past its deadline. The second
 * workload adds spares, keyed calls and runners retiring with notice (each may run beside its replacement, so
 * max is exceeded by at most the retiring ones), and checks that the pool's counts return to zero.
 */
class PoolInvariantsTest {

    private static final Duration SLACK = FlamePoolEngine.IN_FLIGHT_GRACE.plusSeconds(2);

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void invariantsHoldUnderChaos(long seed) throws Exception {
        run(seed, false);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
    void invariantsHoldWithSparesKeysAndRetirements(long seed) throws Exception {
        run(seed, true);
    }

    private void run(long seed, boolean extras) throws Exception {
        Random random = new Random(seed);
        int max = 1 + random.nextInt(4);
        int maxConcurrency = 1 + random.nextInt(4);
        boolean singleUse = random.nextInt(5) == 0;
        FakeBackend backend = new FakeBackend();
        backend.chaos = new Random(seed * 31);
        backend.bootFailureRate = 0.15;
        backend.maxConcurrencyAllowed = singleUse ? 1 : maxConcurrency;
        FlamePoolConfig config = FlamePoolConfig.builder("chaos").max(max).maxConcurrency(maxConcurrency)
                .singleUse(singleUse).idleShutdownAfter(Duration.ofMillis(20 + random.nextInt(100)))
                .spare(extras ? random.nextInt(max + 1) : 0)
                .shutdownTimeout(Duration.ofSeconds(1)).build();
        FlamePoolEngine pool = new FlamePoolEngine(config, backend, e -> { });

        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        List<Long> deadlines = new ArrayList<>();
        AtomicInteger ended = new AtomicInteger();
        int notices = 0;
        int n = 300;
        for (int i = 0; i < n; i++) {
            int id = i;
            int work = random.nextInt(8);
            Duration timeout = Duration.ofMillis(50 + random.nextInt(400));
            runs.put(id, new AtomicInteger());
            FlameInvocation task = new FlameInvocation.Closure(() -> {
                runs.get(id).incrementAndGet();
                Thread.sleep(work); // the task's own work, not a wait in the test
                return id;
            });
            String key = extras && random.nextBoolean() ? "k" + random.nextInt(5) : null;
            CompletableFuture<Object> call = pool.submit(task, timeout, key);
            long deadline = System.nanoTime() + timeout.plus(SLACK).toNanos();
            call.whenComplete((r, e) -> ended.incrementAndGet());
            calls.add(call);
            deadlines.add(deadline);
            switch (random.nextInt(20)) {
                case 0 -> call.cancel(true);
                case 1 -> backend.runners.values().stream().skip(random.nextInt(Math.max(1, backend.runners.size())))
                        .findFirst().ifPresent(FakeBackend.FakeRunner::lose);
                case 2, 3 -> {
                    if (extras) {
                        notices++;
                        backend.runners.values().stream().skip(random.nextInt(Math.max(1, backend.runners.size())))
                                .findFirst().ifPresent(r -> r.retire("chaos notice"));
                    }
                }
                default -> { }
            }
            if (random.nextInt(4) == 0) {
                Thread.sleep(random.nextInt(5)); // arrival pattern of the workload
            }
        }
        for (int i = 0; i < n; i++) {
            CompletableFuture<Object> call = calls.get(i);
            long left = Math.max(0, deadlines.get(i) - System.nanoTime());
            try {
                Object value = call.get(left + 1, java.util.concurrent.TimeUnit.NANOSECONDS);
                assertEquals(i, value, "seed " + seed + ": call " + i + " got another call's result");
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof FlameException,
                        "seed " + seed + ": call " + i + " failed with a non-Flame exception: " + e.getCause());
            } catch (java.util.concurrent.CancellationException e) {
                // cancelled by the workload
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("seed " + seed + ": call " + i + " outlived its deadline; " + pool.snapshot());
            }
        }
        assertEquals(n, ended.get(), "every call ends exactly once");
        runs.forEach((id, count) -> assertTrue(count.get() <= 1, "call " + id + " ran " + count + " times"));
        assertTrue(backend.maxAlive.get() <= max + notices, "seed " + seed + ": " + backend.maxAlive + " runners > max "
                + max + " + " + notices + " retiring");
        await().atMost(10, SECONDS).until(() -> pool.snapshot().inFlight() == 0 && pool.snapshot().waiting() == 0);
        assertEquals(0, backend.concurrencyViolations.get(), "seed " + seed + ": a runner took more than max-concurrency");
        pool.shutdown().get(15, SECONDS);
        assertEquals(0, backend.alive.get(), "seed " + seed + ": runners left after shutdown");
    }
}
