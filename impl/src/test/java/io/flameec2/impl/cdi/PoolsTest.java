package io.flameec2.impl.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.spi.FlameInvocation;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PoolsTest {

    private static Pools pools(Map<String, String> config, boolean runner) {
        return new Pools(ConfigLookup.of(config), runner, e -> { }, PoolsTest.class.getClassLoader());
    }

    @Test
    void anUnknownBackendNamesTheKeyAndTheKnownBackends() {
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class, () -> pools(
                Map.of("flame.pools.p.max", "1", "flame.pools.p.backend", "lambda"), false).validate("p"));
        assertEquals("flame.pools.p.backend", e.key());
        assertTrue(e.getMessage().contains("unknown backend 'lambda'"), e.getMessage());
        assertTrue(e.getMessage().contains("[ec2, local, process]"), e.getMessage());
    }

    @Test
    void anUnconfiguredPoolNamesItsMaxKey() {
        assertEquals("flame.pools.nowhere.max", assertThrows(FlameConfigurationException.class,
                () -> pools(Map.of(), false).validate("nowhere")).key());
    }

    @Test
    void runnersForceMinToZero() {
        Map<String, String> config = Map.of("flame.pools.p.max", "3", "flame.pools.p.min", "2");
        assertEquals(2, pools(config, false).validate("p").min());
        FlamePoolConfig onRunner = pools(config, true).validate("p");
        assertEquals(0, onRunner.min());
        assertEquals(3, onRunner.max());
    }

    @Test
    void aConfiguredPoolRunsClosuresOnItsBackend() throws Exception {
        Pools pools = pools(Map.of("flame.pools.p.max", "1", "flame.pools.p.backend", "local"), false);
        try {
            assertEquals(42, pools.get("p").submit(new FlameInvocation.Closure(() -> 6 * 7), null)
                    .get(10, TimeUnit.SECONDS));
            assertTrue(pools.get("p") == pools.get("p"), "one pool per name");
        } finally {
            pools.shutdown();
        }
    }
}
