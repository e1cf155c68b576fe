package io.flameec2.impl.backend.local;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameCallable;
import io.flameec2.FlamePoolConfig;
import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRemoteException;
import io.flameec2.FlameTimeoutException;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameInvocation;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalBackendTest {

    static final AtomicBoolean INTERRUPTED = new AtomicBoolean();
    private FlamePoolEngine pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.shutdown().orTimeout(10, SECONDS).join();
        }
    }

    private FlamePoolEngine pool(Map<String, String> settings) {
        FlamePoolConfig config = FlamePoolConfig.builder("local-test").backend("local").max(2).timeout(Duration.ofSeconds(5))
                .shutdownTimeout(Duration.ofSeconds(1)).build();
        Map<String, String> values = new java.util.HashMap<>();
        settings.forEach((k, v) -> values.put("flame.pools.local-test.local." + k, v));
        BackendContext context = ConfigBackendContext.of(config, values, "test");
        pool = new FlamePoolEngine(config, new LocalBackendFactory().create(context), e -> { });
        return pool;
    }

    private Object call(FlameCallable<?> task, Duration timeout) throws Exception {
        CompletableFuture<Object> f = pool.submit(new FlameInvocation.Closure(task), timeout);
        try {
            return f.get(10, SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void resultsTakeTheSerializationRoundTrip() throws Exception {
        pool(Map.of());
        ArrayList<String> sent = new ArrayList<>(List.of("a", "b"));
        Object back = call(() -> sent, null);
        assertEquals(sent, back);
        assertNotSame(sent, back, "serialize=true must copy the value as a remote call would");
    }

    @Test
    void withoutSerializationValuesAreShared() throws Exception {
        pool(Map.of("serialize", "false"));
        ArrayList<String> sent = new ArrayList<>(List.of("a"));
        assertTrue(sent == call(() -> sent, null));
    }

    @Test
    void aThrownExceptionArrivesAsRemoteExceptionWithItsCauseChain() {
        pool(Map.of());
        FlameRemoteException e = assertThrows(FlameRemoteException.class, () -> call(() -> {
            throw new IllegalStateException("outer", new UncheckedIOException("inner", new java.io.IOException("io")));
        }, null));
        assertEquals("java.lang.IllegalStateException", e.remoteClass());
        assertEquals("outer", e.remoteMessage());
        FlameRemoteException cause = assertInstanceOf(FlameRemoteException.class, e.getCause());
        assertEquals("java.io.UncheckedIOException", cause.remoteClass());
        assertEquals("java.io.IOException", assertInstanceOf(FlameRemoteException.class, cause.getCause()).remoteClass());
        assertTrue(e.getStackTrace().length > 0);
    }

    @Test
    void aNonSerializableCaptureIsRejectedNamingTheClass() {
        pool(Map.of());
        Thread notSerializable = Thread.currentThread();
        FlameRejectedException e = assertThrows(FlameRejectedException.class,
                () -> call(() -> notSerializable.getName(), null));
        assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
    }

    @Test
    void aNonSerializableResultIsRejectedNamingTheClass() {
        pool(Map.of());
        FlameRejectedException e = assertThrows(FlameRejectedException.class, () -> call(Object::new, null));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }

    @Test
    void workPastItsDeadlineIsInterrupted() throws Exception {
        pool(Map.of());
        INTERRUPTED.set(false);
        // a runner first: the timeout below must cover the work, not a boot (a loaded machine missed 300 ms)
        assertEquals(1, call(() -> 1, Duration.ofSeconds(30)));
        assertThrows(FlameTimeoutException.class, () -> call(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                INTERRUPTED.set(true);
                throw e;
            }
            return null;
        }, Duration.ofSeconds(2)));
        org.awaitility.Awaitility.await().atMost(5, SECONDS).untilTrue(INTERRUPTED);
    }

    @Test
    void aBadSerializeSettingNamesItsKey() {
        io.flameec2.FlameConfigurationException e = assertThrows(io.flameec2.FlameConfigurationException.class,
                () -> pool(Map.of("serialize", "maybe")));
        assertEquals("flame.pools.local-test.local.serialize", e.key());
    }
}
