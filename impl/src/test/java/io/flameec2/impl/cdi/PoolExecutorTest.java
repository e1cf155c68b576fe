package io.flameec2.impl.cdi;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameExecutor;
import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRemoteException;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.pool.Pools;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The executor over a real pool on the local backend, whose calls go through the same serialization and filter
 * as a remote call (so what cannot travel fails here as it would remotely); runner processes: CdiIntegrationIT.
 */
class PoolExecutorTest {

    private final Pools pools = new Pools(ConfigLookup.of(Map.of("flame.pools.p.max", "2",
            "flame.pools.p.backend", "local", "flame.pools.p.timeout", "20s")), false, e -> { },
            getClass().getClassLoader());
    private final FlameExecutor flame = new PoolExecutor("p", () -> pools.get("p"));

    @AfterEach
    void stop() {
        pools.shutdown();
    }

    private static String where() {
        return Thread.currentThread().getName();
    }

    @Test
    void completableFutureSupplyAsyncRunsTheSupplierOnARunner() throws Exception {
        CompletableFuture<String> f = CompletableFuture.supplyAsync(
                (Supplier<String> & Serializable) PoolExecutorTest::where, flame);
        assertTrue(f.get(20, SECONDS).startsWith("flame-local-p"), f.get());
        CompletableFuture<Void> ran = CompletableFuture.runAsync((Runnable & Serializable) () -> { }, flame);
        ran.get(20, SECONDS);
    }

    @Test
    void aFailingSupplierFailsTheCallersFuture() {
        CompletableFuture<String> f = CompletableFuture.supplyAsync((Supplier<String> & Serializable) () -> {
            throw new IllegalStateException("no");
        }, flame);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, SECONDS));
        assertInstanceOf(FlameRemoteException.class, e.getCause());
    }

    @Test
    void aSupplierThatCannotTravelIsRefusedAtOnceSayingHowToDeclareIt() {
        Supplier<String> plain = PoolExecutorTest::where;
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                () -> CompletableFuture.supplyAsync(plain, flame));
        assertTrue(e.getMessage().contains("& Serializable") && e.getMessage().contains("pool 'p'"), e.getMessage());
    }

    @Test
    void codeTypedExecutorServiceGetsResultsFromRunners() throws Exception {
        ExecutorService executor = flame;
        Future<String> one = executor.submit((Callable<String> & Serializable) PoolExecutorTest::where);
        assertTrue(one.get(20, SECONDS).startsWith("flame-local-p"), one.get());
        assertEquals("done", executor.submit((Runnable & Serializable) () -> { }, "done").get(20, SECONDS));
        List<Callable<Integer>> tasks = List.of((Callable<Integer> & Serializable) () -> 1,
                (Callable<Integer> & Serializable) () -> 2);
        List<Future<Integer>> all = executor.invokeAll(tasks);
        assertEquals(3, all.get(0).get() + all.get(1).get());
        Callable<Integer> fails = (Callable<Integer> & Serializable) () -> {
            throw new IllegalStateException("no");
        };
        assertEquals(2, executor.invokeAny(List.of(fails, (Callable<Integer> & Serializable) () -> 2)));
        ExecutionException none = assertThrows(ExecutionException.class, () -> executor.invokeAny(List.of(fails)));
        assertInstanceOf(FlameRemoteException.class, none.getCause());
    }

    @Test
    void invokeAllWithATimeoutCancelsWhatIsNotDone() throws Exception {
        Callable<String> slow = (Callable<String> & Serializable) () -> {
            Thread.sleep(120_000);
            return "late";
        };
        // both runners booted first, so that the bound below is about the tasks, not about boots on a loaded machine
        flame.invokeAll(List.of((Callable<String> & Serializable) () -> "warm",
                (Callable<String> & Serializable) () -> "warm"));
        List<Future<String>> all = flame.invokeAll(List.of(slow, (Callable<String> & Serializable) () -> "quick"),
                10, SECONDS);
        assertTrue(all.get(0).isCancelled());
        assertEquals("quick", all.get(1).get());
    }

    @Test
    void aPlainLambdaIsRefusedAtOnceSayingHowToDeclareIt() {
        ExecutorService executor = flame;
        Callable<Integer> plain = () -> 42;
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> executor.submit(plain));
        assertTrue(e.getMessage().contains("FlameCallable") && e.getMessage().contains("(Callable & Serializable)"),
                e.getMessage());
        Runnable plainRunnable = () -> { };
        e = assertThrows(RejectedExecutionException.class, () -> executor.execute(plainRunnable));
        assertTrue(e.getMessage().contains("(Runnable & Serializable)"), e.getMessage());
        // one task that cannot travel refuses the batch before any is sent
        assertThrows(RejectedExecutionException.class,
                () -> executor.invokeAll(List.of((Callable<Integer> & Serializable) () -> 1, plain)));
    }

    @Test
    void theLifecycleBelongsToTheContainer() {
        IllegalStateException e = assertThrows(IllegalStateException.class, flame::shutdown);
        assertTrue(e.getMessage().contains("pool 'p'"), e.getMessage());
        assertThrows(IllegalStateException.class, flame::shutdownNow);
        assertThrows(IllegalStateException.class, () -> flame.awaitTermination(1, SECONDS));
        assertFalse(flame.isShutdown());
        assertFalse(flame.isTerminated());
        pools.shutdown(); // what the application's stop does
        assertTrue(flame.isShutdown());
        assertTrue(flame.isTerminated());
        assertThrows(FlameRejectedException.class, () -> flame.submit((Callable<Integer> & Serializable) () -> 1));
    }
}
