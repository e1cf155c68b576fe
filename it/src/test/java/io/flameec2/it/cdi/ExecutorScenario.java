package io.flameec2.it.cdi;

import io.flameec2.FlameExecutor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A FlameExecutor used where the JDK expects an executor: by CompletableFuture and by code typed
 * {@link ExecutorService}. Answers {@code key=value} lines: the pids the tasks ran in, and what the lifecycle
 * methods threw.
 */
final class ExecutorScenario {

    private ExecutorScenario() {
    }

    static String run(FlameExecutor flame) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("parent=" + ProcessHandle.current().pid());
        lines.add("supplyAsync=" + CompletableFuture.supplyAsync((Supplier<Long> & Serializable) ExecutorScenario::pid,
                flame).get(3, TimeUnit.MINUTES));
        lines.add("submit=" + asExecutorService(flame));
        for (Callable<?> lifecycle : List.<Callable<?>>of(() -> {
            flame.shutdown();
            return null;
        }, flame::shutdownNow, () -> flame.awaitTermination(1, TimeUnit.SECONDS))) {
            try {
                lifecycle.call();
                lines.add("lifecycle=allowed");
            } catch (IllegalStateException e) {
                lines.add("lifecycle=" + e.getClass().getSimpleName());
            }
        }
        lines.add("isShutdown=" + flame.isShutdown());
        return String.join("\n", lines);
    }

    /** Code that knows nothing of FLAME. */
    private static String asExecutorService(ExecutorService executor) throws Exception {
        Future<Long> one = executor.submit((Callable<Long> & Serializable) ExecutorScenario::pid);
        List<Future<Long>> all = executor.invokeAll(List.of((Callable<Long> & Serializable) ExecutorScenario::pid,
                (Callable<Long> & Serializable) ExecutorScenario::pid));
        Long any = executor.invokeAny(List.of((Callable<Long> & Serializable) ExecutorScenario::pid));
        return one.get() + "," + all.get(0).get() + "," + all.get(1).get() + "," + any;
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }
}
