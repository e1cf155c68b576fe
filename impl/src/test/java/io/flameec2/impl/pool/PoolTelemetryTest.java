package io.flameec2.impl.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlamePoolConfig;
import io.flameec2.event.StopReason;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.status.PoolStatus;
import io.flameec2.status.RunnerStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the engine reports to its telemetry and in its status, driven through the fake backend. */
class PoolTelemetryTest {

    private final FakeBackend backend = new FakeBackend();
    private final Recorder recorder = new Recorder();
    private FlamePoolEngine pool;

    @AfterEach
    void shutdown() {
        if (pool != null) {
            pool.shutdown().orTimeout(10, SECONDS).join();
        }
    }

    private FlamePoolEngine pool(int max, Duration timeout) {
        pool = new FlamePoolEngine(FlamePoolConfig.builder("p").max(max).maxConcurrency(1).timeout(timeout)
                .shutdownTimeout(Duration.ofSeconds(1)).build(), backend, e -> { }, recorder);
        return pool;
    }

    @Test
    void aCallIsObservedFromSubmissionThroughDispatchToItsOutcomeAndCarriesTheTraceparent() throws Exception {
        pool(1, Duration.ofSeconds(10));
        assertEquals(42, pool.submit(new FlameInvocation.Closure(() -> 6 * 7), null).get(10, SECONDS));
        await().atMost(5, SECONDS).until(() -> recorder.ended.size() == 1);
        assertEquals(List.of("p-started:p"), recorder.calls);
        assertEquals(CallOutcome.OK, recorder.ended.get(0));
        assertEquals(1, recorder.dispatchedTo.size());
        assertTrue(recorder.dispatchedTo.get(0).startsWith("p-"), recorder.dispatchedTo.toString());
        assertEquals(List.of("ok"), recorder.boots);
        // the traceparent the observation handed out travelled in the call to the runner
        assertEquals("00-trace-" + recorder.dispatchedTo.get(0),
                backend.runners.values().iterator().next().lastTraceparent);
    }

    @Test
    void failuresAreClassifiedAndBootFailuresCountedInTheStatusUntilABootSucceeds() throws Exception {
        backend.autoBoot = false;
        pool(1, Duration.ofSeconds(10));
        CompletableFuture<Object> first = pool.submit(new FlameInvocation.Closure(() -> 1), null);
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 1);
        backend.fail(backend.boots.get(0), "no capacity");
        assertThrows(ExecutionException.class, () -> first.get(10, SECONDS));
        CompletableFuture<Object> second = pool.submit(new FlameInvocation.Closure(() -> 2), null);
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 2);
        backend.fail(backend.boots.get(1), "still no capacity");
        assertThrows(ExecutionException.class, () -> second.get(10, SECONDS));

        PoolStatus failing = pool.status();
        assertEquals(2, failing.consecutiveBootFailures());
        assertTrue(failing.lastBootFailure().orElseThrow().contains("still no capacity"), failing.toString());
        await().atMost(5, SECONDS).until(() -> recorder.ended.size() == 2);
        assertEquals(List.of(CallOutcome.BOOT, CallOutcome.BOOT), recorder.ended);
        assertEquals(List.of("failed", "failed"), recorder.boots);
        assertEquals(List.of(StopReason.BOOT_FAILED, StopReason.BOOT_FAILED), recorder.stops);

        CompletableFuture<Object> third = pool.submit(new FlameInvocation.Closure(() -> 3), null);
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 3);
        backend.complete(backend.boots.get(2));
        assertEquals(3, third.get(10, SECONDS));
        PoolStatus healthy = pool.status();
        assertEquals(0, healthy.consecutiveBootFailures());
        assertEquals(Optional.empty(), healthy.lastBootFailure());
        assertEquals(1, healthy.runners(RunnerStatus.State.READY));
        assertTrue(healthy.runners().get(0).bootDuration().isPresent());
    }

    @Test
    void theStatusShowsBootingRunnersInFlightCallsAndWaitingCallers() throws Exception {
        backend.autoBoot = false;
        pool(1, Duration.ofSeconds(10));
        CompletableFuture<Object> a = pool.submit(new FlameInvocation.Closure(() -> 1), null);
        CompletableFuture<Object> b = pool.submit(new FlameInvocation.Closure(() -> 2), null);
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 1);
        PoolStatus booting = pool.status();
        assertEquals(1, booting.runners(RunnerStatus.State.BOOTING));
        assertEquals(2, booting.waiting());
        assertEquals(Optional.empty(), booting.runners().get(0).bootDuration());

        backend.holdCalls = true;
        FakeBackend.FakeRunner runner = backend.complete(backend.boots.get(0));
        await().atMost(5, SECONDS).until(() -> runner.held.size() == 1);
        PoolStatus busy = pool.status();
        assertEquals(1, busy.inFlight());
        assertEquals(1, busy.waiting());
        assertEquals(1, busy.runners().get(0).inFlight());
        runner.held.get(0).finish();
        await().atMost(5, SECONDS).until(() -> runner.held.size() == 2);
        runner.held.get(1).finish();
        assertEquals(1, a.get(10, SECONDS));
        assertEquals(2, b.get(10, SECONDS));
    }

    @Test
    void aTimedOutCallIsATimeoutAndAnIdleRunnerStopIsReported() throws Exception {
        backend.autoBoot = false;
        pool(1, Duration.ofMillis(300));
        CompletableFuture<Object> late = pool.submit(new FlameInvocation.Closure(() -> 1), null);
        assertThrows(ExecutionException.class, () -> late.get(10, SECONDS));
        await().atMost(5, SECONDS).until(() -> recorder.ended.size() == 1);
        assertEquals(CallOutcome.TIMEOUT, recorder.ended.get(0));
    }

    /** Records what the engine reports. */
    static final class Recorder implements PoolTelemetry {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> dispatchedTo = new CopyOnWriteArrayList<>();
        final List<CallOutcome> ended = new CopyOnWriteArrayList<>();
        final List<String> boots = new CopyOnWriteArrayList<>();
        final List<StopReason> stops = new CopyOnWriteArrayList<>();

        @Override
        public CallObservation callStarted(String pool, FlameInvocation invocation) {
            calls.add("p-started:" + pool);
            return new CallObservation() {
                @Override
                public String dispatched(String runnerId, Duration queueWait) {
                    dispatchedTo.add(runnerId);
                    return "00-trace-" + runnerId;
                }

                @Override
                public void ended(CallOutcome outcome, Duration took, Throwable error) {
                    ended.add(outcome);
                }
            };
        }

        @Override
        public void bootEnded(String pool, String runnerId, Duration took, boolean failed) {
            boots.add(failed ? "failed" : "ok");
        }

        @Override
        public void runnerStopped(String pool, StopReason reason) {
            stops.add(reason);
        }
    }
}
