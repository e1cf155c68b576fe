package io.flameec2.impl.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameExecutor;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.pool.Pool;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.status.PoolStatus;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link FlameExecutor#withKey}: every task of the keyed executor reaches the pool with its key. */
class KeyedExecutorTest {

    /** A pool that answers at once and records the key of every call. */
    private static final class KeyRecorder implements Pool {
        final List<Object> keys = new CopyOnWriteArrayList<>();

        @Override
        public FlamePoolConfig config() {
            return FlamePoolConfig.builder("p").max(1).build();
        }

        @Override
        public CompletableFuture<Object> submit(FlameInvocation invocation, Duration timeout, Object key) {
            keys.add(key == null ? "<none>" : key);
            return CompletableFuture.completedFuture("done");
        }

        @Override
        public CompletableFuture<PlacedChild> placeChild(FlameInvocation invocation, Object key) {
            keys.add(key == null ? "<none>" : key);
            return CompletableFuture.completedFuture(new PlacedChild("r1", CompletableFuture.completedFuture("c")));
        }

        @Override
        public PoolSnapshot snapshot() {
            return new PoolSnapshot(0, 0, 0, 0);
        }

        @Override
        public PoolStatus status() {
            return new PoolStatus("p", "local", 1, List.of(), 0, 0, 0, Optional.empty());
        }

        @Override
        public CompletableFuture<Void> shutdown() {
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void everyKindOfTaskCarriesTheKeyAndTheUnkeyedExecutorNone() throws Exception {
        KeyRecorder pool = new KeyRecorder();
        FlameExecutor flame = new PoolExecutor("p", () -> pool);
        FlameExecutor tenant = flame.withKey("acme");
        assertEquals("done", tenant.call(() -> 1));
        tenant.submit(() -> 1, Duration.ofSeconds(1)).get();
        tenant.placeChild(() -> 1);
        CompletableFuture.supplyAsync((Supplier<String> & Serializable) () -> "x", tenant).get();
        flame.call(() -> 2);
        assertEquals(List.of("acme", "acme", "acme", "acme", "<none>"), pool.keys);
        assertEquals("p", tenant.pool());
    }

    @Test
    void aNullKeyIsRefusedNamingThePool() {
        FlameExecutor flame = new PoolExecutor("p", () -> null);
        NullPointerException e = assertThrows(NullPointerException.class, () -> flame.withKey(null));
        assertTrue(e.getMessage().contains("pool 'p'"), e.getMessage());
    }
}
