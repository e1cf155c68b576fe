package io.flameec2.it.cdi;

import io.flameec2.FlameRemote;
import io.flameec2.FlameRemoteException;
import io.flameec2.FlameRunnerContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Fallback;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

/** The test application's remote bean: every method runs on a runner of its pool. */
@ApplicationScoped
public class RemoteBean {

    /** Attempts seen by {@link #flaky()}; the local backend runs in the parent JVM, so the count is shared. */
    static final AtomicInteger ATTEMPTS = new AtomicInteger();

    @Inject
    FlameRunnerContext context;

    @FlameRemote(pool = "fast")
    public String where(String caller) {
        return caller + " ran on thread " + Thread.currentThread().getName();
    }

    @FlameRemote(pool = "fast")
    public CompletionStage<Integer> square(int n) {
        return CompletableFuture.completedFuture(n * n);
    }

    @FlameRemote(pool = "proc")
    public String onRunner() {
        return context.parent().map(p -> "runner " + p.runnerId() + " of pool " + p.pool() + " pid "
                + ProcessHandle.current().pid()).orElse("not on a runner");
    }

    @Retry(maxRetries = 3, retryOn = FlameRemoteException.class)
    @FlameRemote(pool = "fast")
    public String flaky() {
        if (ATTEMPTS.incrementAndGet() < 3) {
            throw new IllegalStateException("attempt " + ATTEMPTS.get() + " fails");
        }
        return "succeeded on attempt " + ATTEMPTS.get();
    }

    @Timeout(500)
    @FlameRemote(pool = "fast")
    public String slow() throws InterruptedException {
        Thread.sleep(10_000);
        return "too late";
    }

    @Fallback(fallbackMethod = "locally")
    @FlameRemote(pool = "fast")
    public String withFallback(String x) {
        throw new IllegalStateException("remote failure");
    }

    public String locally(String x) {
        return "fallback for " + x;
    }

    @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 1.0, delay = 60_000)
    @FlameRemote(pool = "fast")
    public String breaking() {
        throw new IllegalStateException("always fails");
    }

    // On pool "proc" (runner processes), not on the in-process local backend: there the runner side shares
    // this JVM, so the bean's own fault tolerance state (the one bulkhead slot) would be seen twice.
    @Bulkhead(1)
    @FlameRemote(pool = "proc")
    public String crowded() throws InterruptedException {
        Thread.sleep(2_000);
        return "served";
    }
}
