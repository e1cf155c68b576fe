package io.flameec2.impl.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.spi.FlameInvocation;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pools of an application: configuration checks, all-or-none start, and one running pool. */
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
    void aBackendRejectingItsSettingsStartsNoPoolAndEveryBadPoolIsReported() {
        Map<String, String> config = Map.of(
                "flame.pools.a.max", "1", "flame.pools.a.min", "1", "flame.pools.a.backend", "local",
                "flame.pools.e.max", "1", "flame.pools.e.backend", "ec2",
                "flame.pools.e.ec2.bundle-url", "https://bundles.example.com/runner.zip",
                "flame.pools.f.max", "1", "flame.pools.f.backend", "ec2",
                "flame.pools.f.ec2.image-id", "ami-0abc1234",
                "flame.ec2.region", "eu-west-1");
        Pools pools = pools(config, false);
        try {
            // the EC2 settings are only read when the backend is created; validate() cannot see them
            assertEquals("ec2", pools.validate("e").backend());
            Map<String, FlameConfigurationException> errors = pools.startAll(List.of("a", "e", "f"));
            assertEquals(List.of("e", "f"), List.copyOf(errors.keySet()));
            assertEquals("flame.pools.e.ec2.image-id", errors.get("e").key());
            assertEquals("flame.pools.f.ec2.bundle-url", errors.get("f").key());
            assertFalse(pools.started("a"), "a valid pool must not boot its min runner when another pool is bad");
        } finally {
            pools.shutdown();
        }
    }

    @Test
    void validPoolsAllStart() {
        Pools pools = pools(Map.of("flame.pools.a.max", "1", "flame.pools.b.max", "2"), false);
        try {
            assertEquals(Map.of(), pools.startAll(List.of("a", "b")));
            assertTrue(pools.started("a") && pools.started("b"));
        } finally {
            pools.shutdown();
        }
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
