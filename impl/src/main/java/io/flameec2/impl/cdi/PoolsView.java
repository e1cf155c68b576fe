package io.flameec2.impl.cdi;

import io.flameec2.impl.pool.Pools;
import io.flameec2.FlamePools;
import io.flameec2.status.PoolStatus;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@link FlamePools} bean: reads the pools' status through the extension, so it sees pools started after
 * it was created (on runners, pools start at first use) and none at all before deployment validation.
 */
final class PoolsView implements FlamePools {

    private final Supplier<Pools> pools;

    PoolsView(Supplier<Pools> pools) {
        this.pools = pools;
    }

    @Override
    public List<PoolStatus> pools() {
        return pools.get().statuses();
    }
}
