package io.flameec2.event;

import java.time.Duration;
import java.util.Objects;

/**
 * A runner has booted, joined its parent and takes calls.
 *
 * @param pool the pool
 * @param runnerId the runner
 * @param bootTime how long it took from the start of the boot
 * @param phases where that time went ({@link BootPhases#none()} when the backend does not say)
 */
public record RunnerReady(String pool, String runnerId, Duration bootTime, BootPhases phases)
        implements FlamePoolEvent {

    /**
     * Checks the components.
     *
     * @param pool the record component
     * @param runnerId the record component
     * @param bootTime the record component
     * @param phases the record component
     */
    public RunnerReady {
        Objects.requireNonNull(phases, "phases");
    }

    /**
     * A runner ready without boot phases.
     *
     * @param pool the pool
     * @param runnerId the runner
     * @param bootTime how long it took from the start of the boot
     */
    public RunnerReady(String pool, String runnerId, Duration bootTime) {
        this(pool, runnerId, bootTime, BootPhases.none());
    }
}
