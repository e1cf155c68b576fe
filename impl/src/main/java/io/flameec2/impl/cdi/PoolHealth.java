package io.flameec2.impl.cdi;

import io.flameec2.status.PoolStatus;
import io.flameec2.status.RunnerStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a pool is ready to serve, and why not: the verdict of its readiness check, kept apart from
 * MicroProfile Health's types so it is tested without a server.
 *
 * @param up whether the pool serves
 * @param reason why not, empty when up
 * @param data what the check reports beside its status
 */
record PoolHealth(boolean up, Optional<String> reason, Map<String, Object> data) {

    /**
     * Boots failed in a row from which on a pool counts as not ready. One failure can be a slow or unlucky
     * boot (a timeout, a capacity error that the next boot avoids); a second one in a row, with no boot
     * succeeding between, says the backend cannot boot runners (bad bundle, AMI, network, credentials).
     */
    static final int BOOT_FAILURES_DOWN = 2;

    /**
     * The verdict on a pool.
     *
     * @param name the pool's name
     * @param status its status, empty when it has not started
     * @return the verdict
     */
    static PoolHealth of(String name, Optional<PoolStatus> status) {
        if (status.isEmpty()) {
            return new PoolHealth(false, Optional.of("pool '" + name + "' is not started"), Map.of());
        }
        PoolStatus s = status.get();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("backend", s.backend());
        data.put("runners.ready", s.runners(RunnerStatus.State.READY));
        data.put("runners.booting", s.runners(RunnerStatus.State.BOOTING));
        data.put("runners.retiring", s.runners(RunnerStatus.State.RETIRING));
        data.put("calls.in-flight", s.inFlight());
        data.put("callers.waiting", s.waiting());
        data.put("boots.failed-in-a-row", s.consecutiveBootFailures());
        if (s.backendProblem().isPresent()) {
            // the backend knows before a boot fails: a runner asked for now would not come
            String why = "pool '" + name + "': " + s.backend() + " backend: " + s.backendProblem().get();
            data.put("reason", why);
            return new PoolHealth(false, Optional.of(why), data);
        }
        if (s.consecutiveBootFailures() >= BOOT_FAILURES_DOWN) {
            String why = "pool '" + name + "': the last " + s.consecutiveBootFailures() + " runner boots failed ("
                    + s.backend() + " backend); last: " + s.lastBootFailure().orElse("unknown");
            data.put("reason", why);
            return new PoolHealth(false, Optional.of(why), data);
        }
        return new PoolHealth(true, Optional.empty(), data);
    }
}
