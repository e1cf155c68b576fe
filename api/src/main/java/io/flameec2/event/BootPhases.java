package io.flameec2.event;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Where the time of one runner boot went, phase by phase, in the order they happened. A {@code process}
 * runner reports {@code launch} (the parent spawned it: on a pool's first boot this includes making the runner
 * server), {@code jvm} (until the runner's JVM started), {@code liberty} (Open Liberty's kernel and features, up
 * to the start of the application), {@code app} (the application and CDI started) and {@code join} (TLS and
 * the join with the parent). An EC2 runner reports {@code launch} (RunInstances), {@code instance} (until its
 * user-data started), {@code java} (Java installed, if it had to be), {@code bundle} (downloaded and unpacked),
 * then {@code jvm}, {@code liberty}, {@code app} and {@code join}. Backends without phases report none.
 *
 * <p>The runner's and the parent's clocks may differ (EC2): the runner measures its phases against its own
 * JVM's start, the parent measures the total, and the first phase after {@code launch} is what is left, so
 * the phases always add up to {@link #total()} and no two clocks are ever subtracted.
 *
 * @param phases the phases, in order
 */
public record BootPhases(List<Phase> phases) {

    private static final BootPhases NONE = new BootPhases(List.of());

    /**
     * Copies the list.
     *
     * @param phases the record component
     */
    public BootPhases {
        phases = List.copyOf(Objects.requireNonNull(phases, "phases"));
    }

    /**
     * No phases: the backend does not report them.
     *
     * @return the empty phases
     */
    public static BootPhases none() {
        return NONE;
    }

    /**
     * The whole boot: the sum of the phases.
     *
     * @return the sum, zero without phases
     */
    public Duration total() {
        return phases.stream().map(Phase::duration).reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * One phase by name.
     *
     * @param name such as {@code liberty}
     * @return its duration, {@code null} when this boot did not report it
     */
    public Duration get(String name) {
        return phases.stream().filter(p -> p.name().equals(name)).map(Phase::duration).findFirst().orElse(null);
    }

    /**
     * For logs: {@code jvm 312, liberty 2210, app 1480, join 95} (milliseconds).
     *
     * @return the phases, or an empty string without phases
     */
    public String describe() {
        StringJoiner out = new StringJoiner(", ");
        phases.forEach(p -> out.add(p.name() + " " + p.duration().toMillis()));
        return out.toString();
    }

    /**
     * One phase of a boot.
     *
     * @param name what ended with it ({@code jvm}, {@code liberty}, ...)
     * @param duration how long it took, never negative
     */
    public record Phase(String name, Duration duration) {

        /**
         * Checks the components.
         *
         * @param name the record component
         * @param duration the record component
         */
        public Phase {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("phase " + name + " has a negative duration: " + duration);
            }
        }
    }
}
