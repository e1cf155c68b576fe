package io.flameec2.impl.pool;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The pool's cost report: runner time by market ({@code on-demand}, {@code spot}). A runner is metered from the
 * start of its boot (an instance is paid for from its launch) until its stop completed, once it has joined: a
 * boot that failed has no handle to say its market, so it is not counted. Thread-safe.
 */
final class RunnerTime {

    /** What a backend that says nothing runs on (see {@link io.flameec2.spi.FlameRunnerHandle#market()}). */
    static final String DEFAULT_MARKET = "on-demand";

    private record Metered(String market, long since) {
    }

    private final Map<String, Metered> running = new HashMap<>();
    private final Map<String, Long> endedNanos = new HashMap<>();

    /**
     * Starts metering a runner that joined.
     *
     * @param runnerId the runner
     * @param market its market, as its handle says; blank or {@code null} counts as on-demand
     * @param since the start of its boot, on the pool's monotonic clock
     */
    synchronized void started(String runnerId, String market, long since) {
        running.put(runnerId, new Metered(market == null || market.isBlank() ? DEFAULT_MARKET : market, since));
    }

    /**
     * Ends a runner's metering (once; later calls do nothing).
     *
     * @param runnerId the runner
     * @param now when its stop completed, on the pool's monotonic clock
     */
    synchronized void stopped(String runnerId, long now) {
        Metered m = running.remove(runnerId);
        if (m != null) {
            endedNanos.merge(m.market(), now - m.since(), Long::sum);
        }
    }

    /**
     * The runner time used so far, by market, most used first; runners still running count up to {@code now}.
     *
     * @param now the pool's monotonic clock
     * @return market to time, ordered
     */
    synchronized Map<String, Duration> byMarket(long now) {
        Map<String, Long> sum = new HashMap<>(endedNanos);
        running.values().forEach(m -> sum.merge(m.market(), now - m.since(), Long::sum));
        return sum.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> Duration.ofNanos(e.getValue()), (a, b) -> a,
                        LinkedHashMap::new));
    }

    /**
     * The shutdown log line of a pool.
     *
     * @param pool the pool's name
     * @param byMarket its {@link #byMarket} figures
     * @return {@code pool 'x' used 123.4 runner-seconds (spot 100.0, on-demand 23.4)}
     */
    static String report(String pool, Map<String, Duration> byMarket) {
        double total = byMarket.values().stream().mapToDouble(RunnerTime::seconds).sum();
        String parts = byMarket.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, Duration> e) -> e.getValue()).reversed())
                .map(e -> e.getKey() + " " + format(seconds(e.getValue()))).collect(Collectors.joining(", "));
        return "pool '" + pool + "' used " + format(total) + " runner-seconds" + (parts.isEmpty() ? "" : " (" + parts + ")");
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String format(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }
}
