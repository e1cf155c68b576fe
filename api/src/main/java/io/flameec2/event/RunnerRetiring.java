package io.flameec2.event;

/**
 * A runner will be taken away and has begun to retire (an EC2 spot interruption notice or rebalance
 * recommendation): it takes no new calls, its calls in flight run on, and a replacement boots at once when one is
 * needed. A {@link RunnerStopped} with {@link StopReason#INTERRUPTED} follows when it is gone.
 *
 * @param pool the pool
 * @param runnerId the runner
 * @param reason what the backend said, such as {@code spot interruption}
 * @param callsInFlight its calls still running when it began to retire
 */
public record RunnerRetiring(String pool, String runnerId, String reason, int callsInFlight)
        implements FlamePoolEvent {
}
