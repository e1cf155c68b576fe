package io.flameec2.impl.remote;

import io.flameec2.event.BootPhases;
import io.flameec2.impl.channel.BootMark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns what the parent measured (boot start, launch returned, join received: its own monotonic clock) and
 * what the runner reported ({@link BootMark}s: offsets from its JVM's start, its own clock) into
 * {@link BootPhases}, subtracting no instant of one clock from an instant of the other: the runner's phases
 * are differences of its offsets, the parent's are differences of its instants, and the phase between the
 * launch and the runner's first mark is what the parent's total leaves over.
 */
final class BootTimeline {

    /** The parent's phase: until the launcher returned (process spawned, RunInstances answered). */
    static final String LAUNCH = "launch";
    /** Without marks (a runner that reports none), all after the launch is one phase. */
    static final String RUNNER = "runner";

    private BootTimeline() {
    }

    /**
     * The phases of one boot.
     *
     * @param startedNanos the boot started (parent's clock)
     * @param launchedNanos the launcher returned (parent's clock)
     * @param joinedNanos the join arrived (parent's clock)
     * @param marks the runner's marks, the last being its join
     * @return the phases; they add up to {@code joinedNanos - startedNanos} unless the runner's offsets span
     *     more than the parent saw (clock steps), in which case the leftover phase is 0
     */
    static BootPhases phases(long startedNanos, long launchedNanos, long joinedNanos, List<BootMark> marks) {
        List<BootPhases.Phase> out = new ArrayList<>();
        out.add(phase(LAUNCH, launchedNanos - startedNanos));
        long afterLaunch = joinedNanos - launchedNanos;
        if (marks.isEmpty()) {
            out.add(phase(RUNNER, afterLaunch));
            return new BootPhases(out);
        }
        List<BootMark> sorted = marks.stream().sorted(Comparator.comparingLong(BootMark::sinceJvmStartMs)).toList();
        long spanMs = sorted.get(sorted.size() - 1).sinceJvmStartMs() - sorted.get(0).sinceJvmStartMs();
        out.add(phase(sorted.get(0).phase(), afterLaunch - Duration.ofMillis(spanMs).toNanos()));
        for (int i = 1; i < sorted.size(); i++) {
            out.add(phase(sorted.get(i).phase(),
                    Duration.ofMillis(sorted.get(i).sinceJvmStartMs() - sorted.get(i - 1).sinceJvmStartMs()).toNanos()));
        }
        return new BootPhases(out);
    }

    private static BootPhases.Phase phase(String name, long nanos) {
        return new BootPhases.Phase(name, Duration.ofNanos(Math.max(0, nanos)));
    }
}
