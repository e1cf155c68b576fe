package io.flameec2.impl.backend.local;

import io.flameec2.FlameRejectedException;
import io.flameec2.FlameTimeoutException;
import io.flameec2.event.StopReason;
import io.flameec2.impl.exec.Invokers;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireException;
import io.flameec2.impl.wire.WireFailure;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerBootSpec;
import io.flameec2.spi.RunnerListener;
import io.flameec2.spi.RunnerState;
import io.flameec2.impl.exec.ContainerThreads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Runs calls in this JVM, on a thread per call, interrupting work at its deadline as a remote runner does.
 * With a codec, invocations and results take the remote path's serialization round trip.
 */
final class LocalBackend implements FlameBackend {

    private static final Logger LOG = Logger.getLogger(LocalBackend.class.getName());

    private final String pool;
    private final WireCodec codec;
    private final ExecutorService workers;
    private final ScheduledExecutorService deadlines;

    LocalBackend(String pool, WireCodec codec) {
        this.pool = pool;
        this.codec = codec;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        this.workers = Executors.newCachedThreadPool(ContainerThreads.named(loader, "flame-local-" + pool));
        this.deadlines = Executors.newSingleThreadScheduledExecutor(ContainerThreads.named(loader,
                "flame-local-" + pool + "-deadlines"));
    }

    @Override
    public CompletableFuture<FlameRunnerHandle> boot(RunnerBootSpec spec, RunnerListener listener) {
        LOG.fine(() -> "local runner " + spec.runnerId() + " of pool '" + pool + "' booted in-process");
        return CompletableFuture.completedFuture(new LocalRunner(spec.runnerId()));
    }

    @Override
    public void close() {
        workers.shutdownNow();
        deadlines.shutdownNow();
    }

    private final class LocalRunner implements FlameRunnerHandle {
        private final String id;
        private volatile RunnerState state = RunnerState.READY;

        LocalRunner(String id) {
            this.id = id;
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
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            FlameInvocation invocation;
            try {
                invocation = codec == null ? call.invocation()
                        : codec.decode(codec.encode(call.invocation()), loader, FlameInvocation.class);
            } catch (WireException e) {
                return CompletableFuture.failedFuture(new FlameRejectedException(
                        "pool '" + pool + "': " + call.invocation().describe() + ": " + e.getMessage(), e));
            }
            CompletableFuture<Object> result = new CompletableFuture<>();
            // the time the work was given, for the timeout's message; the call has one when it can expire
            Duration timeout = call.timeLeft().orElse(Duration.ZERO);
            FlameInvocation task = invocation;
            AtomicBoolean expired = new AtomicBoolean();
            Future<?> work = workers.submit(() -> {
                Thread.currentThread().setContextClassLoader(loader);
                try {
                    Object value = Invokers.current().run(task);
                    result.complete(codec == null ? value : roundTrip(value, loader));
                } catch (WireException e) {
                    result.completeExceptionally(new FlameRejectedException("pool '" + pool + "': the result of "
                            + task.describe() + " cannot be sent back: " + e.getMessage(), e));
                } catch (Throwable t) {
                    if (expired.get()) {
                        result.completeExceptionally(new FlameTimeoutException(pool, timeout,
                                task.describe() + " ran past its deadline on runner " + id + " and was interrupted"));
                    } else {
                        result.completeExceptionally(WireFailure.of(t).toException(id));
                    }
                }
            });
            call.timeLeft().ifPresent(left -> deadlines.schedule(() -> {
                expired.set(true);
                work.cancel(true);
            }, left.toNanos(), TimeUnit.NANOSECONDS));
            // cancelling the call interrupts the work, as the cancel endpoint does on a remote runner
            result.whenComplete((r, e) -> {
                if (result.isCancelled()) {
                    work.cancel(true);
                }
            });
            return result;
        }

        private Object roundTrip(Object value, ClassLoader loader) {
            return codec.decode(codec.encode(value), loader, Object.class);
        }

        @Override
        public CompletableFuture<Void> stop(StopReason reason, Duration shutdownTimeout) {
            state = RunnerState.STOPPED;
            return CompletableFuture.completedFuture(null);
        }
    }
}
