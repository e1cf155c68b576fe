package io.flameec2.impl.pool;

import io.flameec2.FlameBootException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.event.StopReason;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerBootSpec;
import io.flameec2.spi.RunnerListener;
import io.flameec2.spi.RunnerState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A controllable backend for pool tests: boots complete when the test says so (or at once), runners run
 * closures on a thread pool or hold calls until released, and can be lost on command. It also checks the
 * per-runner concurrency invariant on every call.
 */
final class FakeBackend implements FlameBackend {

    final List<PendingBoot> boots = new CopyOnWriteArrayList<>();
    final Map<String, FakeRunner> runners = new ConcurrentHashMap<>();
    final AtomicInteger maxSeenConcurrency = new AtomicInteger();
    final ExecutorService workers = Executors.newCachedThreadPool();
    volatile boolean autoBoot = true;
    volatile boolean holdCalls;
    /** Answer on the calling thread, as a backend failing fast (or a cached result) would. */
    volatile boolean synchronous;
    volatile boolean closed;
    volatile int maxConcurrencyAllowed = Integer.MAX_VALUE;
    final AtomicInteger concurrencyViolations = new AtomicInteger();
    /** Runners booting or up, as the backend counts them: never above the pool's max. */
    final AtomicInteger alive = new AtomicInteger();
    final AtomicInteger maxAlive = new AtomicInteger();
    /** For randomized tests: boots complete after a random delay and fail with this probability. */
    volatile java.util.Random chaos;
    volatile double bootFailureRate;
    /** What the runners booted from now on say their market is. */
    volatile String market = "on-demand";
    final java.util.concurrent.ScheduledExecutorService delays =
            Executors.newSingleThreadScheduledExecutor();

    record PendingBoot(RunnerBootSpec spec, RunnerListener listener, CompletableFuture<FlameRunnerHandle> future) {
    }

    @Override
    public CompletableFuture<FlameRunnerHandle> boot(RunnerBootSpec spec, RunnerListener listener) {
        PendingBoot boot = new PendingBoot(spec, listener, new CompletableFuture<>());
        maxAlive.accumulateAndGet(alive.incrementAndGet(), Math::max);
        boots.add(boot);
        java.util.Random random = chaos;
        if (random != null) {
            boolean fail;
            long delay;
            synchronized (random) {
                fail = random.nextDouble() < bootFailureRate;
                delay = random.nextInt(30);
            }
            delays.schedule(() -> {
                if (fail) {
                    fail(boot, "chaos");
                } else {
                    complete(boot);
                }
            }, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
        } else if (autoBoot) {
            complete(boot);
        }
        return boot.future;
    }

    FakeRunner complete(PendingBoot boot) {
        FakeRunner runner = new FakeRunner(boot.spec.runnerId(), boot.listener);
        runners.put(runner.id, runner);
        boot.future.complete(runner);
        return runner;
    }

    void fail(PendingBoot boot, String why) {
        alive.decrementAndGet();
        boot.future.completeExceptionally(
                new FlameBootException(boot.spec.config().name(), boot.spec.runnerId(), why, null));
    }

    long live() {
        return runners.values().stream().filter(r -> r.state == RunnerState.READY).count();
    }

    @Override
    public void close() {
        closed = true;
        workers.shutdownNow();
        delays.shutdownNow();
    }

    /** A call held by the runner until the test completes it. */
    record HeldCall(FlameCall call, CompletableFuture<Object> future) {
        void finish() {
            try {
                future.complete(((FlameInvocation.Closure) call.invocation()).callable().call());
            } catch (Exception e) {
                future.completeExceptionally(e);
            }
        }
    }

    final class FakeRunner implements FlameRunnerHandle {
        final String id;
        /** The trace context of the last call sent here. */
        volatile String lastTraceparent;
        final RunnerListener listener;
        final String market = FakeBackend.this.market;
        final List<HeldCall> held = new CopyOnWriteArrayList<>();
        /** Every invocation sent here, in order. */
        final java.util.Queue<FlameInvocation> invocations = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        volatile RunnerState state = RunnerState.READY;
        volatile StopReason stoppedFor;

        FakeRunner(String id, RunnerListener listener) {
            this.id = id;
            this.listener = listener;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public RunnerState state() {
            return state;
        }

        @Override
        public CompletableFuture<Object> invoke(FlameCall call) {
            lastTraceparent = call.traceparent();
            invocations.add(call.invocation());
            // 'work' is the runner's side; the pool sees 'result', completed only after the runner has
            // counted the call as finished, as a real runner frees its thread before it answers.
            CompletableFuture<Object> work = new CompletableFuture<>();
            CompletableFuture<Object> result = new CompletableFuture<>();
            if (state != RunnerState.READY) {
                // a call sent to a runner that just died fails as it would over the wire
                return CompletableFuture.failedFuture(new FlameRunnerLostException("p", id, "already gone", null));
            }
            int now = running.incrementAndGet();
            maxSeenConcurrency.accumulateAndGet(now, Math::max);
            if (now > maxConcurrencyAllowed) {
                concurrencyViolations.incrementAndGet();
            }
            served.incrementAndGet();
            work.whenComplete((r, e) -> {
                running.decrementAndGet();
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(r);
                }
            });
            result.whenComplete((r, e) -> work.cancel(true));
            if (holdCalls) {
                held.add(new HeldCall(call, work));
            } else if (synchronous) {
                new HeldCall(call, work).finish();
            } else {
                workers.execute(() -> new HeldCall(call, work).finish());
            }
            return result;
        }

        /** Simulates the runner's death: in-flight calls fail with runner-lost and the pool is told. */
        void lose() {
            if (state != RunnerState.READY) {
                return;
            }
            alive.decrementAndGet();
            state = RunnerState.LOST;
            FlameRunnerLostException lost = new FlameRunnerLostException("p", id, "killed by the test", null);
            held.forEach(h -> h.future().completeExceptionally(lost));
            listener.lost(id, lost);
        }

        /** Simulates a notice that the runner will be taken away (a spot interruption). */
        void retire(String reason) {
            listener.retiring(id, reason);
        }

        @Override
        public String market() {
            return market;
        }

        @Override
        public CompletableFuture<Void> stop(StopReason reason, Duration shutdownTimeout) {
            if (state == RunnerState.READY) {
                state = RunnerState.STOPPED;
                alive.decrementAndGet();
            }
            stoppedFor = reason;
            return CompletableFuture.completedFuture(null);
        }
    }
}
