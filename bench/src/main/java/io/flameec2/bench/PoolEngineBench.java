package io.flameec2.bench;

import io.flameec2.FlamePoolConfig;
import io.flameec2.event.StopReason;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerBootSpec;
import io.flameec2.spi.RunnerListener;
import io.flameec2.spi.RunnerState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Pool engine overhead at scale, without any transport: 1000 runners of an in-memory backend, 100k calls queued
 * at once, and keyed against unkeyed calls (the cost of routing by key, interleaved in one pool). Prints a table
 * and the keyed routing overhead at p50, and writes {@code bench/target/pool-engine.csv}.
 *
 * <p>Run: {@code mvn -B -q -pl bench -am package -DskipTests && java -cp "bench/target/classes:bench/target/lib/*"
 * io.flameec2.bench.PoolEngineBench}
 */
public final class PoolEngineBench {

    private static final int RUNNERS = 1000;
    private static final int CALLS = 100_000;
    private static final FlameInvocation NOOP = new FlameInvocation.Closure(() -> null);

    /** Held: JUL forgets the level of a logger nobody references. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.flameec2");

    private PoolEngineBench() {
    }

    public static void main(String[] args) throws Exception {
        QUIET.setLevel(java.util.logging.Level.WARNING); // one INFO line per runner boot and stop otherwise
        List<String[]> rows = new ArrayList<>();
        String[][] keyed = null;
        for (int round = 0; round < 2; round++) { // the first round warms the JIT; the second is reported
            rows.clear();
            rows.add(sequential());
            rows.add(concurrent(8));
            rows.add(queued());
            keyed = keyedAndUnkeyed();
            rows.add(keyed[0]);
            rows.add(keyed[1]);
        }
        String header = "scenario,calls,seconds,calls_per_s,p50_us,p99_us,p999_us";
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "%-44s %8s %8s %12s %9s %9s %9s%n", (Object[]) header.split(","));
        StringBuilder csv = new StringBuilder(header).append('\n');
        for (String[] r : rows) {
            out.printf(Locale.ROOT, "%-44s %8s %8s %12s %9s %9s %9s%n", (Object[]) r);
            csv.append(String.join(",", r)).append('\n');
        }
        double keyedP50 = Double.parseDouble(keyed[0][4]);
        double unkeyedP50 = Double.parseDouble(keyed[1][4]);
        out.printf(Locale.ROOT, "keyed routing overhead at p50 (%d runners, interleaved): %+.1f us (keyed %.1f us /"
                + " unkeyed %.1f us = %.2fx; target <= 5 us)%n", RUNNERS, keyedP50 - unkeyedP50, keyedP50, unkeyedP50,
                keyedP50 / unkeyedP50);
        Path file = Path.of("bench/target/pool-engine.csv");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, csv);
        } catch (IOException e) {
            out.println("(could not write " + file + ": " + e + ")");
        }
    }

    /** One caller, submit and wait, over 1000 warm runners: the checkout/release cost of one call. */
    private static String[] sequential() throws Exception {
        try (Fixture f = new Fixture(new InlineBackend(), RUNNERS)) {
            long[] lat = new long[CALLS];
            long start = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                long t = System.nanoTime();
                f.pool.submit(NOOP, null).get();
                lat[i] = System.nanoTime() - t;
            }
            return row("1 caller, 1000 warm runners, inline runner", lat, System.nanoTime() - start);
        }
    }

    /**
     * Keyed against unkeyed calls, one caller over 1000 warm runners, alternating call by call in one pool so that
     * both see the same JIT state and machine load: the difference of their p50 is the cost of routing by key
     * (hashing the key and choosing its owner among the 1000 runners; 100 keys, round robin).
     *
     * @return the keyed row, then the unkeyed one
     */
    private static String[][] keyedAndUnkeyed() throws Exception {
        String[] keys = new String[100];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = "tenant-" + k;
        }
        try (Fixture f = new Fixture(new InlineBackend(), RUNNERS)) {
            long[] keyed = new long[CALLS / 2];
            long[] unkeyed = new long[CALLS / 2];
            long keyedNanos = 0;
            long unkeyedNanos = 0;
            for (int i = 0; i < CALLS / 2; i++) {
                long t = System.nanoTime();
                f.pool.submit(NOOP, null, keys[i % keys.length]).get();
                long u = System.nanoTime();
                f.pool.submit(NOOP, null).get();
                long v = System.nanoTime();
                keyed[i] = u - t;
                unkeyed[i] = v - u;
                keyedNanos += u - t;
                unkeyedNanos += v - u;
            }
            return new String[][] {row("1 caller, 1000 warm runners, keyed (100 keys)", keyed, keyedNanos),
                row("1 caller, 1000 warm runners, unkeyed (same run)", unkeyed, unkeyedNanos)};
        }
    }

    /** Several callers at once over 1000 warm runners: lock contention. */
    private static String[] concurrent(int threads) throws Exception {
        try (Fixture f = new Fixture(new InlineBackend(), RUNNERS)) {
            long[] lat = new long[CALLS];
            CountDownLatch done = new CountDownLatch(threads);
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int from = t * (CALLS / threads);
                int to = from + CALLS / threads;
                new Thread(() -> {
                    try {
                        for (int i = from; i < to; i++) {
                            long s = System.nanoTime();
                            f.pool.submit(NOOP, null).get();
                            lat[i] = System.nanoTime() - s;
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        done.countDown();
                    }
                }).start();
            }
            done.await();
            return row(threads + " callers, 1000 warm runners, inline runner", lat, System.nanoTime() - start);
        }
    }

    /**
     * 100k calls submitted at once to 1000 busy runners (max-concurrency 1): 99k wait in the FIFO queue and are
     * handed slots as a worker completes calls in arrival order. Latency here is queueing; the figure that
     * matters is calls per second through the queue.
     */
    private static String[] queued() throws Exception {
        HeldBackend backend = new HeldBackend();
        try (Fixture f = new Fixture(backend, RUNNERS)) {
            long[] lat = new long[CALLS];
            List<CompletableFuture<Object>> calls = new ArrayList<>(CALLS);
            long start = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                long s = System.nanoTime();
                int n = i;
                CompletableFuture<Object> c = f.pool.submit(NOOP, Duration.ofMinutes(5));
                c.whenComplete((r, e) -> lat[n] = System.nanoTime() - s);
                calls.add(c);
            }
            Thread worker = new Thread(() -> {
                try {
                    for (int i = 0; i < CALLS; i++) {
                        backend.pending.take().complete(null);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            worker.start();
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            return row("100k queued on 1000 busy runners (FIFO)", lat, System.nanoTime() - start);
        }
    }

    private static String[] row(String name, long[] latNanos, long wallNanos) {
        long[] sorted = latNanos.clone();
        Arrays.sort(sorted);
        double seconds = wallNanos / 1e9;
        return new String[] {name, Integer.toString(sorted.length), String.format(Locale.ROOT, "%.2f", seconds),
            String.format(Locale.ROOT, "%.0f", sorted.length / seconds), micros(sorted, 0.50), micros(sorted, 0.99),
            micros(sorted, 0.999)};
    }

    private static String micros(long[] sorted, double q) {
        return String.format(Locale.ROOT, "%.1f", sorted[(int) Math.min(sorted.length - 1, q * sorted.length)] / 1e3);
    }

    /** A pool with all its runners booted. */
    private static final class Fixture implements AutoCloseable {
        final FlamePoolEngine pool;

        Fixture(FlameBackend backend, int runners) throws Exception {
            pool = new FlamePoolEngine(FlamePoolConfig.builder("bench").min(runners).max(runners).maxConcurrency(1)
                    .idleShutdownAfter(Duration.ofHours(1)).timeout(Duration.ofMinutes(5))
                    .shutdownTimeout(Duration.ofSeconds(1)).build(), backend, e -> { });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.snapshot().booting() > 0 || pool.snapshot().runners() < runners) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("runners did not boot: " + pool.snapshot());
                }
                Thread.onSpinWait();
            }
        }

        @Override
        public void close() {
            pool.shutdown().join();
        }
    }

    /** Runners that answer on the calling thread: measures the engine alone. */
    private static final class InlineBackend implements FlameBackend {
        @Override
        public CompletableFuture<FlameRunnerHandle> boot(RunnerBootSpec spec, RunnerListener listener) {
            return CompletableFuture.completedFuture(new Handle(spec.runnerId(), null));
        }
    }

    /** Runners that hold every call until the benchmark completes it. */
    private static final class HeldBackend implements FlameBackend {
        final LinkedBlockingQueue<CompletableFuture<Object>> pending = new LinkedBlockingQueue<>();

        @Override
        public CompletableFuture<FlameRunnerHandle> boot(RunnerBootSpec spec, RunnerListener listener) {
            return CompletableFuture.completedFuture(new Handle(spec.runnerId(), pending));
        }
    }

    private record Handle(String id, LinkedBlockingQueue<CompletableFuture<Object>> held) implements FlameRunnerHandle {
        @Override
        public RunnerState state() {
            return RunnerState.READY;
        }

        @Override
        public CompletableFuture<Object> invoke(FlameCall call) {
            if (held == null) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Object> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Void> stop(StopReason reason, Duration drainTimeout) {
            return CompletableFuture.completedFuture(null);
        }
    }
}
