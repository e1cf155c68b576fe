package io.flameec2.event;

/**
 * A runner has stopped, or was given up.
 *
 * @param pool the pool
 * @param runnerId the runner
 * @param reason why it stopped
 * @param detail a human-readable explanation, naming where to look for more
 */
public record RunnerStopped(String pool, String runnerId, StopReason reason, String detail)
        implements FlamePoolEvent {
}
