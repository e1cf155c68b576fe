package io.flameec2.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop load: N caller threads each call, wait for the reply, and call again, for a warm-up period (not
 * recorded) and then a measured period. Percentiles come from the sorted latencies of the measured period.
 */
final class Load {

    /** One blocking round trip. */
    @FunctionalInterface
    interface Op {
        /**
         * Makes one call and waits for its reply.
         *
         * @throws Exception when the call fails
         */
        void call() throws Exception;
    }

    /**
     * What one scenario measured.
     *
     * @param system what was called
     * @param scenario the scenario
     * @param callers concurrent callers
     * @param seconds measured wall time
     * @param sorted latencies of the measured calls, sorted, in nanoseconds
     * @param errors failed calls (their latency is not recorded)
     * @param cpu CPU nanoseconds each probed process used during the measured period ({@code -1} unknown), or
     *        an empty array
     */
    record Result(String system, String scenario, int callers, double seconds, long[] sorted, long errors,
            long[] cpu) {
        long calls() {
            return sorted.length;
        }

        double perSecond() {
            return sorted.length / seconds;
        }

        /** CPU microseconds per measured call of probed process {@code i}, NaN if unknown. */
        double cpuMicrosPerCall(int i) {
            return i >= cpu.length || cpu[i] < 0 || sorted.length == 0 ? Double.NaN : cpu[i] / 1e3 / sorted.length;
        }

        double micros(double q) {
            return sorted.length == 0 ? Double.NaN
                    : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e3;
        }

        String summary() {
            return String.format(Locale.ROOT, "%s / %s: %d calls, %.0f/s, p50 %.0f us, p99 %.0f us%s%s", system,
                    scenario, calls(), perSecond(), micros(0.5), micros(0.99),
                    errors > 0 ? ", " + errors + " errors" : "", cpu.length < 2 ? ""
                            : String.format(Locale.ROOT, "; CPU per call: caller JVM %.0f us, server JVM %.0f us",
                                    cpuMicrosPerCall(0), cpuMicrosPerCall(1)));
        }
    }

    private Load() {
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /**
     * Runs a scenario.
     *
     * @param system what is called
     * @param scenario the scenario's name
     * @param callers concurrent callers
     * @param warmup unrecorded time first
     * @param measure recorded time
     * @param maxCallsPerCaller a bound on recorded calls per caller (keeps big-payload runs short)
     * @param op the call
     * @return the result
     * @throws Exception when the first call fails (the scenario cannot run at all)
     */
    static Result run(String system, String scenario, int callers, Duration warmup, Duration measure,
            int maxCallsPerCaller, Op op) throws Exception {
        return run(system, scenario, callers, warmup, measure, maxCallsPerCaller, op, () -> new long[0]);
    }

    /**
     * Runs a scenario, reading the CPU time of some processes at the start and at the end of the measured period.
     *
     * @param system what is called
     * @param scenario the scenario's name
     * @param callers concurrent callers
     * @param warmup unrecorded time first
     * @param measure recorded time
     * @param maxCallsPerCaller a bound on recorded calls per caller (keeps big-payload runs short)
     * @param op the call
     * @param cpu the CPU nanoseconds used so far by each probed process ({@code -1} unknown)
     * @return the result
     * @throws Exception when the first call fails (the scenario cannot run at all)
     */
    static Result run(String system, String scenario, int callers, Duration warmup, Duration measure,
            int maxCallsPerCaller, Op op, java.util.function.Supplier<long[]> cpu) throws Exception {
        op.call(); // fail fast, and make sure everything is connected before the clock starts
        long[][] samples = new long[callers][];
        int[] counts = new int[callers];
        long[] finished = new long[callers];
        AtomicLong errors = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[callers];
        long[] window = new long[2];
        for (int t = 0; t < callers; t++) {
            int me = t;
            threads[t] = new Thread(() -> {
                long[] lat = new long[1024];
                int n = 0;
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long measureFrom = window[0];
                long end = window[1];
                while (true) {
                    long s = System.nanoTime();
                    if (s >= end || n >= maxCallsPerCaller) {
                        break;
                    }
                    try {
                        op.call();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e);
                        continue;
                    }
                    if (s >= measureFrom) {
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = System.nanoTime() - s;
                    }
                }
                samples[me] = lat;
                counts[me] = n;
                finished[me] = System.nanoTime();
            }, "bench-caller-" + t);
            threads[t].start();
        }
        ready.await();
        long start = System.nanoTime();
        window[0] = start + warmup.toNanos();
        window[1] = window[0] + measure.toNanos();
        go.countDown(); // the latch publishes window[] to the callers
        sleepUntil(window[0]);
        long[] cpuFrom = cpu.get();
        sleepUntil(window[1]);
        long[] cpuTo = cpu.get();
        long[] cpuUsed = new long[cpuFrom.length];
        for (int i = 0; i < cpuUsed.length; i++) {
            cpuUsed[i] = cpuFrom[i] < 0 || cpuTo[i] < 0 ? -1 : cpuTo[i] - cpuFrom[i];
        }
        for (Thread t : threads) {
            t.join(); // join publishes the callers' arrays
        }
        long lastEnd = Arrays.stream(finished).max().orElse(window[1]);
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < callers; t++) {
            System.arraycopy(samples[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        double seconds = (lastEnd - window[0]) / 1e9;
        if (firstError.get() != null) {
            System.out.println("  (" + system + " / " + scenario + ": " + errors.get() + " errors, first: "
                    + firstError.get() + ")");
        }
        Result r = new Result(system, scenario, callers, seconds, all, errors.get(), cpuUsed);
        System.out.println("  " + r.summary());
        return r;
    }
}
