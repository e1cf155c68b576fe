package io.flameec2.it.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameBootException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.FlameTimeoutException;
import io.flameec2.event.FlamePoolEvent;
import io.flameec2.event.RunnerReady;
import io.flameec2.event.RunnerStopped;
import io.flameec2.event.StopReason;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.it.process.ProcessPool;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Load with faults on real Liberty runner processes: 100,000 calls from 64 callers across a pool of
 * {@code process} runners while runners are SIGKILLed at random intervals. Every call must end exactly once
 * (with its own result, or an exception a caller can act on), none may outlive its deadline; then, with the
 * load gone, the pool must shrink to {@code min} within {@code idle-shutdown-after} + 2 s.
 *
 * <p>Sizes can be changed for a longer run: {@code -Dflame.it.load.calls=1000000 -Dflame.it.load.callers=64}.
 */
class LoadUnderKillsIT {

    private static final String POOL = "load";
    private static final int CALLS = Integer.getInteger("flame.it.load.calls", 100_000);
    private static final int CALLERS = Integer.getInteger("flame.it.load.callers", 64);
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    /** The pool's own guard fails a call 2 s after its deadline; allow the caller a little more to observe it. */
    private static final Duration HUNG_AFTER = DEADLINE.plusSeconds(10);
    private static final Duration IDLE = Duration.ofSeconds(3);
    /**
     * The warm-up's calls wait for the runners' boots, which share the machine: three at once took 59-61 s each on a
     * loaded CI machine, past the load's deadline. Their deadline covers the boots.
     */
    private static final Duration WARM_UP = Duration.ofMinutes(4);

    @Test
    void everyCallEndsExactlyOnceWhileRunnersAreKilledThenThePoolScalesDownToMin() throws Exception {
        List<FlamePoolEvent> events = new CopyOnWriteArrayList<>();
        AtomicLong lastReady = new AtomicLong();
        Set<String> ready = ConcurrentHashMap.newKeySet();
        FlamePoolConfig config = ProcessPool.config(POOL).min(1).max(3).maxConcurrency(32)
                .idleShutdownAfter(IDLE).timeout(DEADLINE).shutdownTimeout(Duration.ofSeconds(5)).build();
        FlamePoolEngine pool = ProcessPool.create(config, Suite.bundle(), e -> {
            if (e instanceof RunnerReady r) {
                lastReady.set(System.nanoTime());
                ready.add(r.runnerId());
            }
            events.add(e);
        });
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            // warm: the pool is at max before the clock starts, as it is after a while in production (runners
            // boot in 10-25 s here, and the load's own CPU would slow their boots further)
            List<CompletableFuture<Object>> naps = new ArrayList<>();
            for (int i = 0; i < config.max() * config.maxConcurrency(); i++) {
                naps.add(pool.submit(new FlameInvocation.Closure(new ReliabilityTasks.Nap(1000)), WARM_UP));
            }
            await().atMost(WARM_UP).until(() -> pool.snapshot().runners() == config.max());
            CompletableFuture.allOf(naps.toArray(CompletableFuture[]::new)).get(WARM_UP.toMinutes() + 1, TimeUnit.MINUTES);

            AtomicIntegerArray ends = new AtomicIntegerArray(CALLS);
            long[] latencyNanos = new long[CALLS];
            Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
            List<String> unexpected = new CopyOnWriteArrayList<>();
            AtomicInteger hung = new AtomicInteger();
            AtomicInteger next = new AtomicInteger();
            AtomicInteger kills = new AtomicInteger();
            AtomicLong lastEnd = new AtomicLong();
            Random random = new Random(Long.getLong("flame.it.load.seed", System.nanoTime()));

            scheduleKill(killer, random, kills, ready);
            long start = System.nanoTime();
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                loops.add(CompletableFuture.runAsync(() -> {
                    for (int id; (id = next.getAndIncrement()) < CALLS; ) {
                        int me = id;
                        long sent = System.nanoTime();
                        CompletableFuture<Object> f = pool.submit(
                                new FlameInvocation.Closure(new ReliabilityTasks.Echo(me)), DEADLINE);
                        // counts how often the call ended, independently of the caller's wait below
                        f.whenComplete((v, e) -> {
                            ends.incrementAndGet(me);
                            lastEnd.set(System.nanoTime());
                        });
                        try {
                            Object v = f.get(HUNG_AFTER.toMillis(), TimeUnit.MILLISECONDS);
                            latencyNanos[me] = System.nanoTime() - sent;
                            outcome(outcomes, Integer.valueOf(me).equals(v) ? "ok" : "WRONG RESULT " + v);
                            if (!Integer.valueOf(me).equals(v)) {
                                unexpected.add("call " + me + " answered " + v);
                            }
                        } catch (ExecutionException e) {
                            latencyNanos[me] = System.nanoTime() - sent;
                            Throwable cause = e.getCause();
                            if (cause instanceof FlameRunnerLostException) {
                                outcome(outcomes, "runner-lost");
                            } else if (cause instanceof FlameTimeoutException) {
                                outcome(outcomes, "timeout");
                            } else if (cause instanceof FlameBootException) {
                                outcome(outcomes, "boot-failed");
                            } else {
                                outcome(outcomes, cause.getClass().getSimpleName());
                                unexpected.add("call " + me + ": " + cause);
                            }
                        } catch (TimeoutException e) {
                            hung.incrementAndGet();
                            unexpected.add("call " + me + " had not ended " + HUNG_AFTER.toSeconds() + " s after it was sent");
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }, callers));
            }
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
            long elapsedNanos = System.nanoTime() - start;
            killer.shutdownNow();

            int notOnce = 0;
            for (int i = 0; i < CALLS; i++) {
                if (ends.get(i) != 1) {
                    notOnce++;
                }
            }
            long[] sorted = latencyNanos.clone();
            Arrays.sort(sorted);
            long total = outcomes.values().stream().mapToLong(LongAdder::sum).sum();
            Suite.figure(String.format("load: %d calls, %d callers, %d runners SIGKILLed, %.1f s, %.0f calls/s; "
                    + "outcomes %s; p50 %.2f ms, p99 %.2f ms, max %.0f ms; ended-not-once %d, hung %d",
                    CALLS, CALLERS, kills.get(), elapsedNanos / 1e9, CALLS / (elapsedNanos / 1e9), outcomes,
                    Suite.percentile(sorted, 50) / 1e6, Suite.percentile(sorted, 99) / 1e6,
                    sorted[sorted.length - 1] / 1e6, notOnce, hung.get()));
            assertEquals(0, hung.get(), () -> "calls outlived their deadline: " + head(unexpected));
            assertEquals(0, notOnce, "calls that did not end exactly once");
            assertEquals(CALLS, total, "every call has exactly one outcome");
            assertTrue(unexpected.isEmpty(), () -> "unexpected outcomes: " + head(unexpected));
            assertTrue(kills.get() > 0, "no runner was killed: the run was too short to test anything");
            assertTrue(outcomes.getOrDefault("ok", new LongAdder()).sum() > CALLS / 2,
                    () -> "most calls must succeed despite the kills: " + outcomes);

            // scale to zero (here: to min): runners above min stop once idle, and their processes are gone.
            // A runner's idle time starts when the load ended or, for a replacement that came up later, when it
            // became ready.
            await().atMost(IDLE.plusSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> pool.snapshot().runners() + pool.snapshot().booting() <= config.min()
                            && Suite.runnerJvms(POOL).size() <= config.min());
            long idleFrom = Math.max(lastEnd.get(), lastReady.get()); // final now: nothing is booting
            long scaledDownMs = (System.nanoTime() - idleFrom) / 1_000_000;
            long idleStops = events.stream().filter(e -> e instanceof RunnerStopped s && s.reason() == StopReason.IDLE)
                    .count();
            Suite.figure("scale-down: runners above min=" + config.min() + " stopped and their processes gone "
                    + scaledDownMs + " ms after the last call ended or runner became ready (idle-shutdown-after " + IDLE.toMillis()
                    + " ms, bound " + IDLE.plusSeconds(2).toMillis() + " ms); idle stops " + idleStops);
            assertTrue(scaledDownMs <= IDLE.plusSeconds(2).toMillis(),
                    "runners above min outlived idle-shutdown-after + 2 s: " + scaledDownMs + " ms");
            assertEquals(config.min(), Suite.runnerJvms(POOL).size(), "min runners must stay");
        } finally {
            killer.shutdownNow();
            callers.shutdownNow();
            pool.shutdown().orTimeout(2, TimeUnit.MINUTES).join();
        }
        await().atMost(Duration.ofMinutes(1)).until(() -> Suite.runnerJvms(POOL).isEmpty());
    }

    /**
     * Every 6 to 12 s (random) until the load ends, SIGKILLs one of the pool's serving runners, if at least two
     * serve. Only serving ones, and never the last: a Liberty runner boots in 10 to 25 s on a loaded 2-core
     * machine, so killing faster, or booting ones, would starve the pool and measure boot failures (tested on
     * their own in ProcessBackendIT and the pool engine's tests) instead of calls surviving runner loss.
     */
    private static void scheduleKill(ScheduledExecutorService killer, Random random, AtomicInteger kills,
            Set<String> ready) {
        killer.schedule(() -> {
            List<ProcessHandle> serving = Suite.runnerJvms(POOL).stream()
                    .filter(p -> ready.contains(Suite.environ(p.pid()).get(RunnerEnv.RUNNER_ID))).toList();
            if (serving.size() >= 2) {
                ProcessHandle victim = serving.get(random.nextInt(serving.size()));
                if (victim.destroyForcibly()) {
                    kills.incrementAndGet();
                }
            }
            scheduleKill(killer, random, kills, ready);
        }, 6000 + random.nextInt(6000), TimeUnit.MILLISECONDS);
    }

    private static void outcome(Map<String, LongAdder> outcomes, String key) {
        outcomes.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static String head(List<String> lines) {
        return lines.size() + " " + lines.subList(0, Math.min(10, lines.size()));
    }
}
