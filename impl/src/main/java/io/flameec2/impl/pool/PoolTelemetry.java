package io.flameec2.impl.pool;

import io.flameec2.event.BootPhases;
import io.flameec2.event.StopReason;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;

/**
 * What the pool engine reports for metrics and traces, in its own terms: no OpenTelemetry type appears here,
 * so the engine runs the same whether or not the application has OpenTelemetry. Implementations must be
 * quick and must not throw; the engine calls them outside its lock.
 */
public interface PoolTelemetry {

    /** Reports nothing: the engine's default, and what runs without OpenTelemetry. */
    PoolTelemetry NONE = new PoolTelemetry() {
    };

    /**
     * A pool started: from now on its {@link Pool#snapshot() snapshots} may be observed.
     *
     * @param pool the pool
     */
    default void poolStarted(Pool pool) {
    }

    /**
     * A pool shut down.
     *
     * @param pool the pool
     */
    default void poolStopped(Pool pool) {
    }

    /**
     * A call was submitted; called on the caller's thread, so an implementation can take the caller's
     * context (its current span) from there.
     *
     * @param pool the pool's name
     * @param invocation what the call runs
     * @return follows the call to its end
     */
    default CallObservation callStarted(String pool, FlameInvocation invocation) {
        return CallObservation.NONE;
    }

    /**
     * A boot ended.
     *
     * @param pool the pool's name
     * @param runnerId the runner
     * @param took from the start of the boot until the runner joined or the boot failed
     * @param failed whether it failed
     */
    default void bootEnded(String pool, String runnerId, Duration took, boolean failed) {
    }

    /**
     * A boot succeeded and its backend said where its time went (called after {@link #bootEnded}).
     *
     * @param pool the pool's name
     * @param phases the phases, possibly none
     */
    default void bootPhases(String pool, BootPhases phases) {
    }

    /**
     * A runner left its pool.
     *
     * @param pool the pool's name
     * @param reason why
     */
    default void runnerStopped(String pool, StopReason reason) {
    }

    /** One call, from its submission to its end. */
    interface CallObservation {

        /** Observes nothing. */
        CallObservation NONE = new CallObservation() {
        };

        /**
         * The call got a slot on a runner and is about to be sent.
         *
         * @param runnerId the runner
         * @param queueWait how long it waited for the slot
         * @return the W3C {@code traceparent} the runner's work should continue, or {@code null}
         */
        default String dispatched(String runnerId, Duration queueWait) {
            return null;
        }

        /**
         * The call ended (exactly once).
         *
         * @param outcome how
         * @param took from submission to the end
         * @param error its failure, {@code null} when it succeeded
         */
        default void ended(CallOutcome outcome, Duration took, Throwable error) {
        }
    }
}
