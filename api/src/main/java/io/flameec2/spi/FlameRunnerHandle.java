package io.flameec2.spi;

import io.flameec2.event.BootPhases;
import io.flameec2.event.StopReason;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A booted runner, as the pool drives it. Implementations are thread-safe. */
public interface FlameRunnerHandle {

    /**
     * The runner's id.
     *
     * @return the id given in {@link RunnerBootSpec#runnerId()}
     */
    String id();

    /**
     * The runner's state.
     *
     * @return the state
     */
    RunnerState state();

    /**
     * Sends one call. The future completes with the task's result, or exceptionally with a
     * {@link io.flameec2.FlameRemoteException} (the task threw), {@link io.flameec2.FlameRunnerLostException}
     * (the runner went away), {@link io.flameec2.FlameTimeoutException} (the deadline passed; the runner
     * interrupts the work) or {@link io.flameec2.FlameRejectedException} (the call could not be encoded).
     * Cancelling the future interrupts the work on the runner.
     *
     * @param call the call
     * @return the result
     */
    CompletableFuture<Object> invoke(FlameCall call);

    /**
     * Stops the runner within its pool's {@code shutdown-timeout}: it takes no new calls, in-flight ones drain
     * until shortly before the timeout and are then interrupted, and the runner (process, instance) is gone
     * by the timeout. Idempotent.
     *
     * @param reason why, for the runner's log
     * @param shutdownTimeout how long the whole stop may take
     * @return completes when the runner is gone
     */
    CompletableFuture<Void> stop(StopReason reason, Duration shutdownTimeout);

    /**
     * The kind of capacity the runner runs on, for the pool's cost report (runner-seconds by market).
     *
     * @return {@code "spot"} or {@code "on-demand"} for EC2 runners; {@code "on-demand"} unless a backend
     *     says otherwise
     */
    default String market() {
        return "on-demand";
    }

    /**
     * Where the time of this runner's boot went, as far as its backend can tell.
     *
     * @return the phases, adding up to the boot as the backend measured it; {@link BootPhases#none()} unless a
     *     backend says
     */
    default BootPhases bootPhases() {
        return BootPhases.none();
    }
}
