package io.flameec2.it.reliability;

import static org.awaitility.Awaitility.await;

import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.backend.ec2.Ec2BackendFactory;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.impl.pool.Pool;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * A parent in its own JVM for {@link Ec2ParentLossIT}: a pool engine with the {@code ec2} backend launching
 * {@value #RUNNERS} runners into the EC2-in-a-box, each kept busy by one {@link BusyTask} that outlasts the test.
 * Prints {@value #BUSY} once every runner holds its call, then waits to be killed.
 *
 * <p>Arguments: the {@code flame.ec2.*} settings as {@code key=value}. System properties: {@code flame.parent.host}
 * and the box's {@code aws.*} credentials (this JVM has no MicroProfile Config; system properties are its config).
 */
public final class Ec2ParentMain {

    /** Runners, hence instances: one busy call each ({@code maxConcurrency 1}). */
    static final int RUNNERS = 2;
    /** How often this parent pings each runner. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(500);
    /** A runner without heartbeat this long drains and exits. */
    static final Duration PARENT_LOSS_TIMEOUT = Duration.ofSeconds(3);
    /** The pool's shutdown-timeout: how long a stopping runner lets in-flight calls finish before interrupting. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    /** The application version of parent and runners. */
    static final String APP_VERSION = "parent-loss-box";
    /** The line printed once every runner is busy. */
    static final String BUSY = "PARENT BUSY";
    private static final Duration CALL = Duration.ofMinutes(20);

    private Ec2ParentMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("flame.heartbeat-interval", HEARTBEAT_INTERVAL.toMillis() + "ms");
        System.setProperty("flame.parent-loss-timeout", PARENT_LOSS_TIMEOUT.toMillis() + "ms");
        System.setProperty("flame.app-version", APP_VERSION);
        System.setProperty("flame.serialization.allow", BusyTask.class.getName());
        Map<String, String> settings = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        FlamePoolConfig config = FlamePoolConfig.builder("loss").backend(Ec2BackendFactory.NAME).max(RUNNERS)
                .maxConcurrency(1).bootTimeout(Duration.ofMinutes(4)).timeout(CALL).shutdownTimeout(SHUTDOWN_TIMEOUT)
                .build();
        FlamePoolEngine pool = new FlamePoolEngine(config, new Ec2BackendFactory().create(
                ConfigBackendContext.of(config, settings, "parent-loss-" + UUID.randomUUID())),
                e -> System.out.println("EVENT " + e));
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < RUNNERS; i++) {
            CompletableFuture<Object> call = pool.submit(new FlameInvocation.Closure(new BusyTask(CALL.toMillis())),
                    CALL);
            // a call must not end while this parent lives: say so, the test fails on it
            call.whenComplete((value, error) -> System.out.println("CALL ENDED early: " + value + " " + error));
            calls.add(call);
        }
        // the pool's view: every runner registered and holding one call (the test checks the runners' side)
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Pool.PoolSnapshot s = pool.snapshot();
            return calls.stream().anyMatch(CompletableFuture::isDone)
                    || s.runners() == RUNNERS && s.booting() == 0 && s.inFlight() == RUNNERS && s.waiting() == 0;
        });
        if (calls.stream().anyMatch(CompletableFuture::isDone)) {
            System.out.println("PARENT FAILED: a call ended before the runners were all busy");
            System.exit(1);
        }
        System.out.println(BUSY + " " + pool.snapshot());
        System.out.flush();
        new CountDownLatch(1).await(); // until SIGKILL
    }
}
