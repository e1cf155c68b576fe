package io.flameec2.status;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One pool at one instant.
 *
 * @param name the pool's name
 * @param backend the backend that boots its runners ({@code local}, {@code process}, {@code ec2})
 * @param max the most runners it boots
 * @param runners its runners, booting or ready (not those already stopping), oldest first
 * @param inFlight calls running on its runners
 * @param waiting callers waiting for a free slot
 * @param consecutiveBootFailures boots that failed since the last one that succeeded
 * @param lastBootFailure why the most recent boot failed, when the last boot to end failed
 * @param backendProblem why its backend cannot serve now, as the backend sees it (for {@code ec2}: its last
 *     API call failed), empty when it saw none; see {@link io.flameec2.spi.FlameBackend#problem()}
 * @param runnerTime the cost report: runner time used since the pool started, by market ({@code on-demand},
 *     {@code spot}), counted for every runner that joined from the start of its boot until its stop completed
 *     (those still running up to now); most used first
 */
public record PoolStatus(String name, String backend, int max, List<RunnerStatus> runners, int inFlight,
        int waiting, int consecutiveBootFailures, Optional<String> lastBootFailure, Optional<String> backendProblem,
        Map<String, Duration> runnerTime) {

    /**
     * A status without a backend problem or a cost report.
     *
     * @param name the pool's name
     * @param backend its backend
     * @param max the most runners it boots
     * @param runners its runners
     * @param inFlight calls running on its runners
     * @param waiting callers waiting for a free slot
     * @param consecutiveBootFailures boots that failed since the last one that succeeded
     * @param lastBootFailure why the most recent boot failed
     */
    public PoolStatus(String name, String backend, int max, List<RunnerStatus> runners, int inFlight, int waiting,
            int consecutiveBootFailures, Optional<String> lastBootFailure) {
        this(name, backend, max, runners, inFlight, waiting, consecutiveBootFailures, lastBootFailure, Optional.empty(),
                Map.of());
    }

    /**
     * Checks the components.
     *
     * @param name the record component
     * @param backend the record component
     * @param max the record component
     * @param runners the record component
     * @param inFlight the record component
     * @param waiting the record component
     * @param consecutiveBootFailures the record component
     * @param lastBootFailure the record component
     * @param backendProblem the record component
     * @param runnerTime the record component
     */
    public PoolStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(backend, "backend");
        runners = List.copyOf(runners);
        Objects.requireNonNull(lastBootFailure, "lastBootFailure");
        Objects.requireNonNull(backendProblem, "backendProblem");
        runnerTime = Collections.unmodifiableMap(new LinkedHashMap<>(runnerTime)); // keeps the order
    }

    /**
     * All runner time used, every market together.
     *
     * @return the sum of {@link #runnerTime()}
     */
    public Duration totalRunnerTime() {
        return runnerTime.values().stream().reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * The runners in a state.
     *
     * @param state the state
     * @return how many of its runners are in it
     */
    public long runners(RunnerStatus.State state) {
        return runners.stream().filter(r -> r.state() == state).count();
    }
}
