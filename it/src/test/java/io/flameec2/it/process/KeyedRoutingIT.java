package io.flameec2.it.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Sticky routing across real runner processes: every call of a key reports the same runner (its
 * {@code FLAME_RUNNER_ID}, pid and port), and a SIGKILLed runner's keys, only those, move to the survivor.
 */
class KeyedRoutingIT {

    private static final Logger LOG = Logger.getLogger(KeyedRoutingIT.class.getName());
    private static final int KEYS = 20;
    private static final int CALLS_PER_KEY = 10;

    /** Key to the runners ({@code pid:port:id}) its calls ran on, all keys' calls sent at once. */
    private static Map<String, Set<String>> route(FlamePoolEngine pool) throws Exception {
        Map<String, List<CompletableFuture<Object>>> calls = new HashMap<>();
        for (int i = 0; i < KEYS * CALLS_PER_KEY; i++) {
            String key = "key-" + (i % KEYS);
            calls.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(pool.submit(new FlameInvocation.Closure(new RunnerTasks.WhoAmI()), null, key));
        }
        Map<String, Set<String>> ranOn = new HashMap<>();
        for (Map.Entry<String, List<CompletableFuture<Object>>> e : calls.entrySet()) {
            for (CompletableFuture<Object> c : e.getValue()) {
                ranOn.computeIfAbsent(e.getKey(), k -> new HashSet<>()).add((String) c.get(5, TimeUnit.MINUTES));
            }
        }
        return ranOn;
    }

    @Test
    void eachKeysCallsRunOnOneRunnerProcessAndAKilledRunnerMovesOnlyItsKeys() throws Exception {
        // two Liberty runners booting at once took 100 s to start under this machine's load: generous bounds
        FlamePoolEngine pool = ProcessPool.create(ProcessPool.config("keyed").min(2).max(2)
                .bootTimeout(Duration.ofMinutes(5)).timeout(Duration.ofMinutes(5)).build(),
                RunnerBundle.get(RunnerTasks.class, RunnerTasks.WhoAmI.class, RunnerTasks.Boom.class,
                        RunnerTasks.Busy.class, RunnerTasks.Gadget.class), e -> { });
        try {
            await().atMost(6, TimeUnit.MINUTES).until(() -> pool.snapshot().runners() == 2
                    && pool.snapshot().booting() == 0);
            Map<String, String> owner = new HashMap<>();
            route(pool).forEach((key, runners) -> {
                assertEquals(1, runners.size(), key + " ran on " + runners);
                owner.put(key, runners.iterator().next());
            });
            Set<String> used = new HashSet<>(owner.values());
            assertEquals(2, used.size(), "20 keys over the 2 runners: " + owner);
            LOG.info("keys by runner: " + owner);

            String victim = owner.get("key-0");
            long victimPid = Long.parseLong(victim.split(":")[0]);
            ProcessHandle.of(victimPid).orElseThrow().destroyForcibly(); // SIGKILL
            await().atMost(1, TimeUnit.MINUTES).until(() -> pool.status().runners().stream()
                    .noneMatch(r -> victim.endsWith(":" + r.id())));
            // the replacement that min boots may join during the round below and take the victim's keys back:
            // either way, a key of the survivor stays where it was, and no key runs on the dead runner
            route(pool).forEach((key, runners) -> {
                if (owner.get(key).equals(victim)) {
                    runners.forEach(r -> assertNotEquals(victim, r, key));
                } else {
                    assertEquals(Set.of(owner.get(key)), runners, key + " moved although its runner lives");
                }
            });
        } finally {
            pool.shutdown().orTimeout(1, TimeUnit.MINUTES).join();
        }
    }
}
