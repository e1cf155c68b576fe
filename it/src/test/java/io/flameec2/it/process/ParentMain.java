package io.flameec2.it.process;

import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.spi.FlameInvocation;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A parent in its own JVM, for the parent-loss test: boots one runner, prints its pid, then keeps running
 * until it is killed.
 */
public final class ParentMain {

    private ParentMain() {
    }

    public static void main(String[] args) throws Exception {
        FlamePoolEngine pool = ProcessPool.create(ProcessPool.config("orphans").max(1).build(), Path.of(args[0]),
                e -> System.out.println("EVENT " + e));
        String who = (String) pool.submit(new FlameInvocation.Closure(new RunnerTasks.WhoAmI()), null)
                .get(3, TimeUnit.MINUTES);
        System.out.println("RUNNER_PID=" + who.split(":")[0]);
        System.out.flush();
        new java.util.concurrent.CountDownLatch(1).await(); // until SIGKILL
    }
}
