package io.flameec2.impl.channel;

import java.util.Objects;

/**
 * One instant of a runner's boot, as the runner's join reports it: the end of the phase it names, in
 * milliseconds since the runner's JVM started (negative for what happened before the JVM, such as an EC2
 * instance's user-data unpacking the bundle). Offsets come from one machine's clock, never the parent's.
 *
 * @param phase the phase that ended at this instant ({@code jvm}, {@code liberty}, {@code app}, {@code join})
 * @param sinceJvmStartMs when, in milliseconds after the JVM's start
 */
public record BootMark(String phase, long sinceJvmStartMs) {

    /**
     * Checks the components.
     *
     * @param phase the record component
     * @param sinceJvmStartMs the record component
     */
    public BootMark {
        Objects.requireNonNull(phase, "phase");
    }
}
