package io.flameec2.it.process;

import io.flameec2.impl.remote.RawClient;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameCallable;
import io.flameec2.FlameConfigurationException;
import io.flameec2.FlameRemoteException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.event.FlamePoolEvent;
import io.flameec2.event.RunnerReady;
import io.flameec2.event.RunnerStopped;
import io.flameec2.event.StopReason;
import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.spi.FlameInvocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code process} backend on real Open Liberty runner processes booted from a runner bundle; the parent
 * is this JVM (and, for parent loss, a JVM of its own that is killed).
 */
class ProcessBackendIT {

    private static final Logger LOG = Logger.getLogger(ProcessBackendIT.class.getName());
    private static Path bundle;
    private static FlamePoolEngine shared;
    private static final List<FlamePoolEvent> EVENTS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void bundleAndPool() throws Exception {
        long start = System.nanoTime();
        bundle = RunnerBundle.get(RunnerTasks.class, RunnerTasks.WhoAmI.class, RunnerTasks.Boom.class,
                RunnerTasks.Busy.class, RunnerTasks.Gadget.class);
        LOG.info("runner bundle " + bundle + ": " + Files.size(bundle) / (1024 * 1024) + " MB, built in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        shared = ProcessPool.create(ProcessPool.config("process-it").build(), bundle, EVENTS::add);
    }

    @AfterAll
    static void shutdown() {
        if (shared != null) {
            shared.shutdown().orTimeout(1, TimeUnit.MINUTES).join();
        }
    }

    private static <T> T call(FlamePoolEngine pool, FlameCallable<T> task, Duration timeout) throws Exception {
        try {
            @SuppressWarnings("unchecked")
            T value = (T) pool.submit(new FlameInvocation.Closure(task), timeout).get(3, TimeUnit.MINUTES);
            return value;
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static long pidOf(String who) {
        return Long.parseLong(who.split(":")[0]);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void aClosureRunsOnARunnerProcessAndItsExceptionComesBack() throws Exception {
        long start = System.nanoTime();
        String who = call(shared, new RunnerTasks.WhoAmI(), null);
        LOG.info("first call on a cold pool answered in " + (System.nanoTime() - start) / 1_000_000 + " ms; "
                + EVENTS.stream().filter(RunnerReady.class::isInstance).findFirst().orElse(null));
        // the runner reported where its boot went: the parent's launch, then its own phases, in order
        RunnerReady ready = EVENTS.stream().filter(RunnerReady.class::isInstance).map(RunnerReady.class::cast)
                .findFirst().orElseThrow();
        assertEquals(List.of("launch", "jvm", "liberty", "app", "join"),
                ready.phases().phases().stream().map(p -> p.name()).toList(), ready.phases()::describe);
        assertTrue(ready.phases().get("liberty").toMillis() > 0, ready.phases()::describe);
        // measured by the parent from the boot's start to the join's arrival: within the pool's boot time
        assertTrue(ready.phases().total().compareTo(ready.bootTime()) <= 0,
                () -> ready.phases().describe() + " within " + ready.bootTime());
        assertTrue(ready.phases().total().compareTo(ready.bootTime().minusSeconds(5)) > 0,
                () -> ready.phases().describe() + " close to " + ready.bootTime());
        long pid = pidOf(who);
        assertNotEquals(ProcessHandle.current().pid(), pid, "the call must run in another process");
        assertTrue(alive(pid));

        FlameRemoteException e = assertThrows(FlameRemoteException.class,
                () -> call(shared, new RunnerTasks.Boom("kaput"), null));
        assertEquals(IllegalStateException.class.getName(), e.remoteClass());
        assertEquals("kaput", e.remoteMessage());
        FlameRemoteException cause = assertInstanceOf(FlameRemoteException.class, e.getCause());
        assertEquals(IllegalArgumentException.class.getName(), cause.remoteClass());
    }

    @Test
    void theRunnerListensOnLoopbackOnlyAndAForgedJoinIsRefused() throws Exception {
        String who = call(shared, new RunnerTasks.WhoAmI(), null);
        long pid = pidOf(who);
        int httpPort = Integer.parseInt(who.split(":")[1]);
        String runnerId = who.split(":")[2];
        // the runner opens no port for FlameEC2: whatever the runner JVM listens on is on loopback
        List<ListeningSockets.Listener> listening = ListeningSockets.of(pid);
        LOG.info("runner pid " + pid + " listens on " + listening);
        assertTrue(listening.stream().anyMatch(l -> l.port() == httpPort),
                "its loopback HTTP port " + httpPort + " must show (else the check sees nothing): " + listening);
        assertTrue(listening.stream().allMatch(l -> l.address().isLoopbackAddress()),
                "the runner listens beyond loopback: " + listening);

        // a join with a forged token, to the parent channel the runner joined
        Map<String, String> env = environ(pid);
        String address = env.get(RunnerEnv.PARENT_ADDRESS);
        assertNotNull(address, RunnerEnv.PARENT_ADDRESS + " not in the runner's environment");
        String host = address.substring(0, address.lastIndexOf(':'));
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        String version = env.getOrDefault(RunnerEnv.APP_VERSION, "");
        for (String[] forged : new String[][] {{runnerId, "forged-" + UUID.randomUUID()}, {runnerId, ""},
                {"runner-that-does-not-exist", "forged-" + UUID.randomUUID()}}) {
            try (RawClient attacker = RawClient.tls(host, port)) {
                attacker.send(FrameType.JOIN, Frames.LAST, 0, RawClient.join(forged[0], forged[1], version));
                RawClient.Frame answer = attacker.read(Duration.ofSeconds(10));
                assertNotNull(answer, "the parent closed without answering a forged join of " + forged[0]);
                assertEquals(FrameType.REFUSED, answer.type(), answer.text());
                assertTrue(attacker.closedWithin(Duration.ofSeconds(10)), "the refused connection stayed open");
            }
        }
        // and the runner still serves its parent, as the same process
        assertEquals(who, call(shared, new RunnerTasks.WhoAmI(), null));
    }

    /** A process's environment (Linux {@code /proc/<pid>/environ}; readable for processes of the same user). */
    private static Map<String, String> environ(long pid) throws IOException {
        Map<String, String> env = new HashMap<>();
        String raw = Files.readString(Path.of("/proc", Long.toString(pid), "environ"), StandardCharsets.ISO_8859_1);
        for (String entry : raw.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    @Test
    void aRunnerKilledMidCallFailsThatCallQuicklyAndTheNextCallGetsANewRunner() throws Exception {
        FlamePoolEngine pool = ProcessPool.create(ProcessPool.config("sigkill").max(1).build(), bundle, e -> { });
        try {
            long pid = pidOf(call(pool, new RunnerTasks.WhoAmI(), null));
            Path marker = Files.createTempDirectory("flame-busy").resolve("started");
            Duration timeout = Duration.ofMinutes(2);
            CompletableFuture<Object> busy = pool.submit(
                    new FlameInvocation.Closure(new RunnerTasks.Busy(marker.toString(), 600_000)), timeout);
            await().atMost(1, TimeUnit.MINUTES).until(() -> Files.exists(marker));
            long killed = System.nanoTime();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
            ExecutionException e = assertThrows(ExecutionException.class, () -> busy.get(1, TimeUnit.MINUTES));
            long detectMs = (System.nanoTime() - killed) / 1_000_000;
            assertInstanceOf(FlameRunnerLostException.class, e.getCause());
            LOG.info("runner-lost detected " + detectMs + " ms after SIGKILL (call timeout " + timeout.toMillis() + " ms)");
            assertTrue(detectMs < 15_000, "runner loss took " + detectMs + " ms to surface");
            long next = pidOf(call(pool, new RunnerTasks.WhoAmI(), null));
            assertNotEquals(pid, next);
        } finally {
            pool.shutdown().orTimeout(1, TimeUnit.MINUTES).join();
        }
    }

    @Test
    void anIdleRunnerStopsAndItsProcessExits() throws Exception {
        List<FlamePoolEvent> events = new CopyOnWriteArrayList<>();
        FlamePoolEngine pool = ProcessPool.create(ProcessPool.config("idle").max(1)
                .idleShutdownAfter(Duration.ofSeconds(2)).build(), bundle, events::add);
        try {
            long pid = pidOf(call(pool, new RunnerTasks.WhoAmI(), null));
            long idleFrom = System.nanoTime();
            await().atMost(1, TimeUnit.MINUTES).until(() -> !alive(pid));
            LOG.info("idle runner process gone " + (System.nanoTime() - idleFrom) / 1_000_000
                    + " ms after its last call (idle-shutdown-after 2000 ms)");
            assertTrue(events.stream().anyMatch(e -> e instanceof RunnerStopped s && s.reason() == StopReason.IDLE));
            assertEquals(0, pool.snapshot().runners());
        } finally {
            pool.shutdown().orTimeout(1, TimeUnit.MINUTES).join();
        }
    }

    @Test
    void whenTheParentIsKilledItsRunnersExitByThemselves() throws Exception {
        Process parent = ParentJvm.start(ParentMain.class, bundle.toString());
        long runnerPid = -1;
        try {
            String line = ParentJvm.awaitLine(parent, "RUNNER_PID=", Duration.ofMinutes(3));
            runnerPid = Long.parseLong(line.substring("RUNNER_PID=".length()));
            assertTrue(alive(runnerPid));
            parent.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye
            long killed = System.nanoTime();
            long rp = runnerPid;
            await().atMost(1, TimeUnit.MINUTES).until(() -> !alive(rp));
            LOG.info("runner exited " + (System.nanoTime() - killed) / 1_000_000
                    + " ms after its parent was SIGKILLed (parent-loss-timeout 3000 ms)");
        } finally {
            parent.destroyForcibly();
            if (runnerPid > 0) {
                ProcessHandle.of(runnerPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aMissingBundleIsAConfigurationErrorNamingTheKey() {
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> ProcessPool.create(ProcessPool.config("nobundle").build(), Path.of("/nonexistent/bundle.zip"),
                        ev -> { }));
        assertEquals("flame.pools.nobundle.process.bundle", e.key());
    }
}
