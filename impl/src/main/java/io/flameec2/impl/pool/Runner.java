package io.flameec2.impl.pool;

import io.flameec2.event.BootPhases;
import io.flameec2.spi.FlameRunnerHandle;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One runner as the pool sees it, from the start of its boot until its stop. Its mutable state is guarded
 * by the pool's lock.
 */
final class Runner {

    /** Orders runners of equal load by age, so the set of available runners is a total order. */
    private static final AtomicLong SEQUENCE = new AtomicLong();

    final String id;
    final long seq = SEQUENCE.incrementAndGet();
    /** The calls running on it. */
    final Set<Call> calls = new LinkedHashSet<>();
    /** Set once its boot completed; {@code null} while booting. */
    FlameRunnerHandle handle;
    int inFlight;
    /** Calls it has taken in all: a single-use runner takes one. */
    int used;
    /** When its boot started, on the pool's monotonic clock. */
    long bootStarted;
    /** How long its boot took, in nanoseconds; negative while it boots. */
    long bootDuration = -1;
    /** Where its boot's time went, once booted. */
    BootPhases bootPhases = BootPhases.none();
    /** When it last became idle, on the pool's monotonic clock. */
    long idleSince;
    /** The backend reported it lost (possibly while it was still booting). */
    boolean lost;
    /**
     * The backend gave notice that it will be taken away ({@code RunnerListener.retiring}): it takes no new
     * calls, no longer counts as the pool's capacity, and stops once its calls in flight end.
     */
    boolean retiring;
    /** Why it is retiring, for logs and its stop. */
    String retiringReason;
    /** Its place in the pool's {@link KeyRouter}, -1 while keys are not routed to it. */
    int routeIndex = -1;
    /** Keyed calls waiting for a slot on this runner, their key's owner, oldest first; done ones are skipped. */
    final ArrayDeque<Call> keyedWaiters = new ArrayDeque<>();
    ScheduledFuture<?> idleTimer;

    Runner(String id) {
        this.id = id;
    }

    /** Whether its boot has completed, so it can be stopped. */
    boolean booted() {
        return handle != null;
    }

    void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }
}
