package io.flameec2.event;

/**
 * A runner has started to boot.
 *
 * @param pool the pool
 * @param runnerId the runner
 * @param spare whether it boots as a spare ({@code flame.pools.<p>.spare}): kept idle above demand, rather
 *     than booted for waiting callers, {@code min} or a runner that is retiring
 */
public record RunnerBooting(String pool, String runnerId, boolean spare) implements FlamePoolEvent {

    /**
     * A runner booted for demand or {@code min}, not as a spare.
     *
     * @param pool the pool
     * @param runnerId the runner
     */
    public RunnerBooting(String pool, String runnerId) {
        this(pool, runnerId, false);
    }
}
