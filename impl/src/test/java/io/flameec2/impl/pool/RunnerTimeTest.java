package io.flameec2.impl.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlamePoolConfig;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.status.RunnerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The cost report: runner time by market, in the status and in the shutdown log. */
class RunnerTimeTest {

    @Test
    void theReportListsTheTotalThenEachMarketMostUsedFirst() {
        Map<String, Duration> byMarket = new LinkedHashMap<>();
        byMarket.put("on-demand", Duration.ofMillis(23_400));
        byMarket.put("spot", Duration.ofMillis(100_000));
        assertEquals("pool 'x' used 123.4 runner-seconds (spot 100.0, on-demand 23.4)",
                RunnerTime.report("x", byMarket));
        assertEquals("pool 'x' used 0.0 runner-seconds", RunnerTime.report("x", Map.of()));
    }

    @Test
    void runnersAreMeteredFromTheirBootUntilTheirStopByMarket() {
        RunnerTime meter = new RunnerTime();
        meter.started("a", "spot", 0);
        meter.started("b", null, SECONDS.toNanos(2));
        meter.stopped("b", SECONDS.toNanos(5));
        meter.stopped("b", SECONDS.toNanos(9)); // once only
        assertEquals(Map.of("spot", Duration.ofSeconds(10), "on-demand", Duration.ofSeconds(3)),
                meter.byMarket(SECONDS.toNanos(10)));
    }

    @Test
    void thePoolReportsItsRunnerTimeByMarketInItsStatusAndWhenItShutsDown() {
        AtomicLong clock = new AtomicLong();
        FakeBackend backend = new FakeBackend();
        backend.market = "spot";
        backend.holdCalls = true;
        List<String> logged = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger("io.flameec2.pool");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            FlamePoolEngine pool = new FlamePoolEngine(FlamePoolConfig.builder("p").max(2).maxConcurrency(1).min(1)
                    .shutdownTimeout(Duration.ofSeconds(1)).build(), backend, e -> { }, clock::get);
            await().atMost(5, SECONDS).until(() -> backend.live() == 1); // spot, booted at 0 s
            clock.set(SECONDS.toNanos(4));
            backend.market = "on-demand";
            List<CompletableFuture<Object>> calls = new ArrayList<>();
            calls.add(pool.submit(new FlameInvocation.Closure(() -> 1), null));
            calls.add(pool.submit(new FlameInvocation.Closure(() -> 2), null)); // boots an on-demand one at 4 s
            await().atMost(5, SECONDS).until(() -> pool.snapshot().inFlight() == 2);
            clock.set(SECONDS.toNanos(10));
            Map<String, Duration> status = pool.status().runnerTime();
            assertEquals(List.of("spot", "on-demand"), List.copyOf(status.keySet()));
            assertEquals(Duration.ofSeconds(10), status.get("spot"));
            assertEquals(Duration.ofSeconds(6), status.get("on-demand"));
            assertEquals(Duration.ofSeconds(16), pool.status().totalRunnerTime());
            assertEquals(List.of(Optional.of("spot"), Optional.of("on-demand")), pool.status().runners().stream()
                    .map(RunnerStatus::market).toList(), "each runner's market in the status");
            backend.runners.values().forEach(r -> r.held.forEach(FakeBackend.HeldCall::finish));
            calls.forEach(CompletableFuture::join);
            pool.shutdown().orTimeout(10, SECONDS).join();
            assertTrue(logged.contains("pool 'p' used 16.0 runner-seconds (spot 10.0, on-demand 6.0)"),
                    logged.toString());
        } finally {
            log.removeHandler(handler);
        }
    }
}
