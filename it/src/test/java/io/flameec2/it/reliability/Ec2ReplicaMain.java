package io.flameec2.it.reliability;

import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.backend.ec2.Ec2BackendFactory;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.it.ec2.E2eTask;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One replica of an application for {@link Ec2ReplicasIT}, in a JVM of its own: a pool engine with the
 * {@code ec2} backend and one runner ({@code min = max = 1}) in the EC2-in-a-box, called twice a second for as
 * long as it lives. Every call's outcome is printed ({@value #CALL_OK} with the runner that answered, or
 * {@value #CALL_FAILED}), and so are the pool's events. Runs until killed.
 *
 * <p>Arguments: the replica's name, its {@code flame.parent-loss-timeout} in ms (a huge one makes its runner
 * ignore the parent's loss), then the {@code flame.ec2.*} settings as {@code key=value}. System properties: the
 * box's {@code flame.parent.host} and {@code aws.*} credentials.
 */
public final class Ec2ReplicaMain {

    /** The application version of parents and runners. */
    static final String APP_VERSION = "replicas-box";
    /** The pool both replicas use. */
    static final String POOL = "shared";
    /** Printed for a call that came back with its result, followed by the runner id. */
    static final String CALL_OK = "CALL OK ";
    /** Printed for a call that failed. */
    static final String CALL_FAILED = "CALL FAILED ";
    private static final Duration PACE = Duration.ofMillis(500);

    private Ec2ReplicaMain() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        System.setProperty("flame.heartbeat-interval", "500ms");
        System.setProperty("flame.parent-loss-timeout", args[1] + "ms");
        System.setProperty("flame.app-version", APP_VERSION);
        System.setProperty("flame.serialization.allow", E2eTask.class.getName());
        Map<String, String> settings = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        FlamePoolConfig config = FlamePoolConfig.builder(POOL).backend(Ec2BackendFactory.NAME).min(1).max(1)
                .maxConcurrency(4).bootTimeout(Duration.ofMinutes(4)).timeout(Duration.ofMinutes(5))
                .shutdownTimeout(Duration.ofSeconds(5)).build();
        FlamePoolEngine pool = new FlamePoolEngine(config, new Ec2BackendFactory().create(
                ConfigBackendContext.of(config, settings, "replica-" + name + "-" + UUID.randomUUID())),
                e -> System.out.println("EVENT " + e));
        while (true) {
            long start = System.nanoTime();
            try {
                String answer = (String) pool.submit(new FlameInvocation.Closure(new E2eTask(7)),
                        config.timeout()).get(config.timeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
                // "42 from <runner id> on port 9080"
                System.out.println(CALL_OK + answer.split(" ")[2]);
            } catch (Exception e) {
                System.out.println(CALL_FAILED + e);
            }
            System.out.flush();
            long left = PACE.toNanos() - (System.nanoTime() - start);
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left); // the pace of the load, not a wait for a condition
            }
        }
    }
}
