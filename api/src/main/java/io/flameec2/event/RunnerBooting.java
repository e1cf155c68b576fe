package io.flameec2.event;

/**
 * A runner has started to boot.
 *
 * @param pool the pool
 * @param runnerId the runner
 */
public record RunnerBooting(String pool, String runnerId) implements FlamePoolEvent {
}
