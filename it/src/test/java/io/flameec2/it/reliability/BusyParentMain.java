package io.flameec2.it.reliability;

import static org.awaitility.Awaitility.await;

import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.it.process.ProcessPool;
import io.flameec2.it.process.RunnerTasks;
import io.flameec2.spi.FlameInvocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A parent in its own JVM, to be SIGKILLed: it fills a pool of {@code process} runners with long calls,
 * prints {@code BUSY} once every call is running, then waits to be killed.
 *
 * <p>Arguments: the runner bundle, the pool name, a directory for the calls' start markers, runners,
 * calls per runner, the pool's shutdown-timeout in ms.
 */
public final class BusyParentMain {

    private BusyParentMain() {
    }

    public static void main(String[] args) throws Exception {
        Path bundle = Path.of(args[0]);
        String name = args[1];
        Path markers = Path.of(args[2]);
        int runners = Integer.parseInt(args[3]);
        int perRunner = Integer.parseInt(args[4]);
        Duration shutdownTimeout = Duration.ofMillis(Long.parseLong(args[5]));
        FlamePoolConfig config = ProcessPool.config(name).max(runners).maxConcurrency(perRunner)
                .shutdownTimeout(shutdownTimeout).timeout(Duration.ofMinutes(10)).build();
        FlamePoolEngine pool = ProcessPool.create(config, bundle, e -> System.out.println("EVENT " + e));
        int calls = runners * perRunner;
        for (int i = 0; i < calls; i++) {
            pool.submit(new FlameInvocation.Closure(new RunnerTasks.Busy(markers.resolve("call-" + i).toString(),
                    TimeUnit.MINUTES.toMillis(10))), Duration.ofMinutes(10));
        }
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (var files = Files.list(markers)) {
                return files.count() == calls;
            }
        });
        System.out.println("BUSY " + calls + " calls on " + pool.snapshot().runners() + " runners");
        System.out.flush();
        new CountDownLatch(1).await(); // until SIGKILL
    }
}
