package io.flameec2;

import io.flameec2.status.PoolStatus;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of the application's pools, for a status page, a health check or a test. Inject it
 * ({@code @Inject FlamePools pools}); nothing is exposed over HTTP unless the application does so itself.
 * Each answer is a consistent snapshot of one pool, taken when asked.
 */
public interface FlamePools {

    /**
     * The pools started so far, by name. A pool starts with the application (on the parent) or at its first
     * use (on a runner).
     *
     * @return one status per started pool, ordered by name
     */
    List<PoolStatus> pools();

    /**
     * One pool's status.
     *
     * @param name the pool's name
     * @return its status, or empty when no pool of that name has started
     */
    default Optional<PoolStatus> pool(String name) {
        return pools().stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
