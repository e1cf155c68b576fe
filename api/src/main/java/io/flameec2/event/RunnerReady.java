package io.flameec2.event;

import java.time.Duration;

/**
 * A runner has booted, joined its parent and takes calls.
 *
 * @param pool the pool
 * @param runnerId the runner
 * @param bootTime how long it took from the start of the boot
 */
public record RunnerReady(String pool, String runnerId, Duration bootTime) implements FlamePoolEvent {
}
