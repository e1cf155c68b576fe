package io.flameec2.status;

import io.flameec2.event.BootPhases;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One runner of a pool at one instant.
 *
 * @param id the runner's id, as in logs and events
 * @param state booting, ready or retiring
 * @param inFlight calls running on it
 * @param age time since its boot started
 * @param bootDuration how long its boot took (until it joined), empty while it boots
 * @param bootPhases where that time went; {@link BootPhases#none()} while it boots or when its backend does
 *     not say
 * @param market the capacity it runs on ({@code on-demand}, {@code spot}: {@code FlameRunnerHandle.market()}),
 *     empty while it boots
 */
public record RunnerStatus(String id, State state, int inFlight, Duration age, Optional<Duration> bootDuration,
        BootPhases bootPhases, Optional<String> market) {

    /**
     * A runner whose market is not known.
     *
     * @param id its id
     * @param state booting, ready or retiring
     * @param inFlight calls running on it
     * @param age time since its boot started
     * @param bootDuration how long its boot took, empty while it boots
     * @param bootPhases where that time went
     */
    public RunnerStatus(String id, State state, int inFlight, Duration age, Optional<Duration> bootDuration,
            BootPhases bootPhases) {
        this(id, state, inFlight, age, bootDuration, bootPhases, Optional.empty());
    }

    /**
     * A runner without boot phases.
     *
     * @param id its id
     * @param state booting or ready
     * @param inFlight calls running on it
     * @param age time since its boot started
     * @param bootDuration how long its boot took, empty while it boots
     */
    public RunnerStatus(String id, State state, int inFlight, Duration age, Optional<Duration> bootDuration) {
        this(id, state, inFlight, age, bootDuration, BootPhases.none(), Optional.empty());
    }

    /**
     * Checks the components.
     *
     * @param id the record component
     * @param state the record component
     * @param inFlight the record component
     * @param age the record component
     * @param bootDuration the record component
     * @param bootPhases the record component
     * @param market the record component
     */
    public RunnerStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(age, "age");
        Objects.requireNonNull(bootDuration, "bootDuration");
        Objects.requireNonNull(bootPhases, "bootPhases");
        Objects.requireNonNull(market, "market");
    }

    /** Where a runner is in its life, as its pool sees it. */
    public enum State {
        /** Its boot has started and it has not joined yet. */
        BOOTING,
        /** It joined and takes calls. */
        READY,
        /**
         * Its capacity is being taken back with notice (an EC2 spot interruption): it takes no new calls, its
         * calls in flight run on until they end, then it stops.
         */
        RETIRING
    }
}
