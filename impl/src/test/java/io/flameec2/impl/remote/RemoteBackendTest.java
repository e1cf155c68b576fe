package io.flameec2.impl.remote;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameBootException;
import io.flameec2.FlameCallable;
import io.flameec2.FlamePoolConfig;
import io.flameec2.FlameRemoteException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.FlameTimeoutException;
import io.flameec2.event.StopReason;
import io.flameec2.impl.bundle.DeployedApplication;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.remote.ThreadLauncher.ThreadRunner;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.runner.RunnerCore;
import io.flameec2.impl.telemetry.TestWars;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerBootSpec;
import io.flameec2.spi.RunnerState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote backend end to end over the real channel: {@link RemoteBackend} and its {@link ChannelServer} on
 * one side, {@link RunnerCore} joining over TLS on the other (in this JVM, see {@link ThreadLauncher}).
 */
class RemoteBackendTest {

    static final AtomicInteger EXECUTED = new AtomicInteger();
    static final AtomicBoolean INTERRUPTED = new AtomicBoolean();
    static volatile CountDownLatch started = new CountDownLatch(1);
    static volatile CountDownLatch release = new CountDownLatch(1);

    private final ThreadLauncher launcher = new ThreadLauncher();
    private final List<FlameRunnerLostException> lost = new CopyOnWriteArrayList<>();
    private RemoteBackend backend;
    private FlamePoolConfig pool;

    @BeforeEach
    void setUp() {
        EXECUTED.set(0);
        INTERRUPTED.set(false);
        started = new CountDownLatch(1);
        release = new CountDownLatch(1);
        pool = FlamePoolConfig.builder("p").max(2).bootTimeout(Duration.ofSeconds(20))
                .shutdownTimeout(Duration.ofSeconds(5)).backend("thread").build();
        backend = backend("1.0");
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        launcher.killAll();
        backend.close();
    }

    private RemoteBackend backend(String appVersion) {
        RemoteSettings settings = RemoteSettings.read(ConfigLookup.of(Map.of(RemoteSettings.PARENT_HOST, "127.0.0.1",
                RemoteSettings.HEARTBEAT_INTERVAL, "200ms", RemoteSettings.PARENT_LOSS_TIMEOUT, "1s",
                AppVersion.KEY, appVersion)));
        return new RemoteBackend(new TestBackendContext(pool), launcher, settings);
    }

    private FlameRunnerHandle boot(String id) throws Exception {
        return backend.boot(new RunnerBootSpec(id, pool), (runnerId, cause) -> lost.add(cause))
                .get(30, TimeUnit.SECONDS);
    }

    private static FlameCall call(String id, FlameCallable<?> task, Duration timeout) {
        return new FlameCall(id, new FlameInvocation.Closure(task), Instant.now().plus(timeout));
    }

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return e.getCause();
    }

    /** A result that is not serializable. */
    static final class Opaque {
    }

    /** Sleeps until released or interrupted; records the interrupt. */
    static String block() throws InterruptedException {
        started.countDown();
        try {
            release.await();
            return "released";
        } catch (InterruptedException e) {
            INTERRUPTED.set(true);
            throw e;
        }
    }

    @Test
    void aPoolWithItsOwnParentUrlGivesItToItsRunnersWhileSharingTheListener() {
        RemoteSettings settings = RemoteSettings.read(ConfigLookup.of(Map.of(RemoteSettings.PARENT_HOST, "127.0.0.1",
                RemoteSettings.HEARTBEAT_INTERVAL, "200ms", RemoteSettings.PARENT_LOSS_TIMEOUT, "1s",
                AppVersion.KEY, "1.0")));
        // as an ec2 pool with auto-configure: the instance's private address, the shared listener's port
        RemoteBackend ec2 = new RemoteBackend(new TestBackendContext(pool), new ThreadLauncher(),
                settings.withParentUrl(java.net.URI.create("tls://10.1.2.3")));
        try {
            String port = backend.parentAddress().substring(backend.parentAddress().lastIndexOf(':') + 1);
            assertEquals("127.0.0.1:" + port, backend.parentAddress());
            assertEquals("10.1.2.3:" + port, ec2.parentAddress());
            assertEquals("10.1.2.3:" + port, ec2.env("r-9", "token", pool).get(RunnerEnv.PARENT_ADDRESS));
        } finally {
            ec2.close();
        }
    }

    @Test
    void runnersLoadTheTelemetryApiWhenTheApplicationSeesIt() throws Exception {
        // this test's class path has MicroProfile Telemetry's API, as a parent server with mpTelemetry-2.0 has
        Class.forName("io.opentelemetry.api.OpenTelemetry", false, getClass().getClassLoader());
        assertEquals("on", backend.env("r-1", "token", pool).get(RunnerEnv.TELEMETRY_API));

        ClassLoader app = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("io.opentelemetry.")) {
                    throw new ClassNotFoundException(name); // an application without the feature
                }
                return super.loadClass(name, resolve);
            }
        };
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(app);
        RemoteBackend without;
        try {
            without = backend("1.0");
        } finally {
            self.setContextClassLoader(before);
        }
        try {
            assertFalse(without.env("r-2", "token", pool).containsKey(RunnerEnv.TELEMETRY_API));
        } finally {
            without.close();
        }
    }

    @Test
    void runnersOfAWarThatDoesNotUseTheVisibleTelemetryApiStartWithoutIt(@TempDir Path dir) throws Exception {
        Path plain = TestWars.write(dir.resolve("plain.war"), Map.of("WEB-INF/classes/com/acme/Plain.class",
                TestWars.classFile(TestWars.Plain.class)));
        Path traced = TestWars.write(dir.resolve("traced.war"), Map.of("WEB-INF/classes/com/acme/Traced.class",
                TestWars.classFile(TestWars.Traced.class)));
        try {
            DeployedApplication.record(plain);
            RemoteBackend plainApp = backend("1.0");
            try {
                assertFalse(plainApp.env("r-3", "token", pool).containsKey(RunnerEnv.TELEMETRY_API),
                        "the API is visible, but no class of the WAR uses it");
            } finally {
                plainApp.close();
            }
            DeployedApplication.record(traced);
            RemoteBackend tracedApp = backend("1.0");
            try {
                assertEquals("on", tracedApp.env("r-4", "token", pool).get(RunnerEnv.TELEMETRY_API));
            } finally {
                tracedApp.close();
            }
        } finally {
            DeployedApplication.record(null);
        }
    }

    @Test
    void bootsJoinsAndRunsAClosure() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        assertEquals("r-1", runner.id());
        assertEquals(RunnerState.READY, runner.state());
        ThreadRunner remote = launcher.runners.get("r-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> remote.core.state() == RunnerCore.State.READY);
        // the runner got a fresh one-time token, the parent's channel address and its certificate's fingerprint
        assertEquals(32, java.util.Base64.getUrlDecoder().decode(remote.env.get(RunnerEnv.JOIN_TOKEN)).length);
        assertEquals(backend.parentAddress(), remote.env.get(RunnerEnv.PARENT_ADDRESS));
        assertTrue(remote.env.get(RunnerEnv.PARENT_FINGERPRINT).matches("[0-9a-f]{64}"));
        assertEquals("1.0", remote.env.get(RunnerEnv.APP_VERSION));
        // failsafe idle limit for a min=0 pool: twice idle-shutdown-after (30 s) plus shutdown-timeout (5 s)
        assertEquals("65000", remote.env.get(RunnerEnv.IDLE_SHUTDOWN_MS));
        assertEquals("1000", remote.env.get(RunnerEnv.PARENT_LOSS_TIMEOUT_MS));

        int x = 6;
        List<Integer> ys = List.of(7);
        Object result = runner.invoke(call("c-1", () -> x * ys.get(0), Duration.ofSeconds(10))).get(10, TimeUnit.SECONDS);
        assertEquals(42, result);
        assertEquals(null, runner.invoke(call("c-2", () -> null, Duration.ofSeconds(10))).get(10, TimeUnit.SECONDS));
    }

    @Test
    void aJoinedRunnerReportsItsBootPhasesInOrderEndingWithTheJoin() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        List<String> names = runner.bootPhases().phases().stream().map(p -> p.name()).toList();
        // an in-JVM runner has no Liberty or CDI phases of its own: the parent's launch, its JVM, its join
        assertEquals("launch", names.get(0));
        assertTrue(names.contains("jvm"), names::toString);
        assertEquals("join", names.get(names.size() - 1));
        assertTrue(names.indexOf("jvm") < names.indexOf("join"), names::toString);
    }

    @Test
    void theJoinTokenAppearsInNoLogLineOrMessage() throws Exception {
        java.util.List<String> lines = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(new java.util.logging.SimpleFormatter().format(r));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("io.flameec2");
        java.util.logging.Level before = root.getLevel();
        root.setLevel(java.util.logging.Level.ALL);
        root.addHandler(capture);
        try {
            FlameRunnerHandle runner = boot("r-1");
            String token = launcher.runners.get("r-1").env.get(RunnerEnv.JOIN_TOKEN);
            Throwable t = failure(runner.invoke(call("c-1", () -> {
                throw new IllegalStateException("boom");
            }, Duration.ofSeconds(10))));
            ThreadRunner remote = launcher.runners.get("r-1");
            lines.add(String.valueOf(t));
            lines.add(remote.core.settings().toString());
            runner.stop(StopReason.IDLE, Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
            assertTrue(lines.size() > 5, "the run logged: " + lines);
            lines.forEach(l -> assertFalse(l.contains(token), "the token leaked: " + l));
        } finally {
            root.removeHandler(capture);
            root.setLevel(before);
        }
    }

    @Test
    void remoteExceptionComesBackWithItsCauseChain() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        Throwable t = failure(runner.invoke(call("c-1", () -> {
            throw new IllegalStateException("outer", new ArithmeticException("inner"));
        }, Duration.ofSeconds(10))));
        FlameRemoteException e = assertInstanceOf(FlameRemoteException.class, t);
        assertEquals("java.lang.IllegalStateException", e.remoteClass());
        assertEquals("outer", e.remoteMessage());
        assertEquals("r-1", e.runnerId());
        assertTrue(e.getStackTrace().length > 0);
        FlameRemoteException cause = assertInstanceOf(FlameRemoteException.class, e.getCause());
        assertEquals("java.lang.ArithmeticException", cause.remoteClass());
        assertEquals(RunnerState.READY, runner.state(), "a task failure does not hurt the runner");
    }

    @Test
    void argumentClassOutsideTheRunnersAllowListIsRefusedNamingIt() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        java.net.URL url = new java.net.URL("http://example.invalid/");
        Throwable t = failure(runner.invoke(call("c-1", () -> url.getHost(), Duration.ofSeconds(10))));
        assertInstanceOf(io.flameec2.FlameRejectedException.class, t);
        assertTrue(t.getMessage().contains("runner r-1 refused call c-1")
                && t.getMessage().contains("class java.net.URL is not allowed"), t.getMessage());
        assertEquals(RunnerState.READY, runner.state());
    }

    @Test
    void resultThatCannotTravelIsReportedNotLost() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        Throwable notSerializable = failure(runner.invoke(call("c-1", Opaque::new, Duration.ofSeconds(10))));
        FlameRemoteException e = assertInstanceOf(FlameRemoteException.class, notSerializable, notSerializable.toString());
        assertTrue(e.getMessage().contains("class " + Opaque.class.getName() + " is not serializable"), e.getMessage());
        Throwable notAllowed = failure(runner.invoke(call("c-2", () -> new java.net.URL("http://example.invalid/"),
                Duration.ofSeconds(10))));
        assertInstanceOf(io.flameec2.FlameRejectedException.class, notAllowed);
        assertTrue(notAllowed.getMessage().contains("class java.net.URL is not allowed"), notAllowed.getMessage());
        assertEquals(RunnerState.READY, runner.state());
    }

    @Test
    void concurrentCallsOnOneRunnerEachGetTheirOwnResult() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        List<CompletableFuture<Object>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            calls.add(runner.invoke(call("c-" + i, () -> "r" + n * n, Duration.ofSeconds(20))));
        }
        for (int i = 0; i < 40; i++) {
            assertEquals("r" + i * i, calls.get(i).get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void deadlineInterruptsTheRemoteWork() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        long t0 = System.nanoTime();
        Throwable t = failure(runner.invoke(call("c-1", RemoteBackendTest::block, Duration.ofMillis(700))));
        assertInstanceOf(FlameTimeoutException.class, t);
        assertTrue(t.getMessage().contains("passed its deadline on runner r-1"), t.getMessage());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 10_000);
        await().atMost(Duration.ofSeconds(10)).untilTrue(INTERRUPTED);
        assertEquals(0, launcher.runners.get("r-1").core.inFlight());
    }

    @Test
    void cancellingTheFutureInterruptsTheRemoteWork() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        CompletableFuture<Object> f = runner.invoke(call("c-1", RemoteBackendTest::block, Duration.ofSeconds(60)));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        f.cancel(true);
        await().atMost(Duration.ofSeconds(10)).untilTrue(INTERRUPTED);
        assertThrows(CancellationException.class, f::join);
        assertEquals(RunnerState.READY, runner.state());
    }

    @Test
    void runnerExitsWhenTheParentGoesAway() throws Exception {
        boot("r-1");
        launcher.ignoreTerminate = true; // a dead parent terminates nothing
        ThreadRunner remote = launcher.runners.get("r-1");
        backend.close(); // its listener and connections close, as when the parent's process dies
        backend = backend("1.0");
        await().atMost(Duration.ofSeconds(15)).until(() -> remote.exitReason != null);
        assertEquals(RunnerCore.State.EXITED, remote.core.state());
        assertTrue(remote.exitReason.startsWith("parent lost (no heartbeat for ")
                && remote.exitReason.contains("the connection ended"), remote.exitReason);
    }

    @Test
    void aPoolThatOutlivesItsClosedBackendAndStopsItsLostRunnerTerminatesNothing() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        ThreadRunner remote = launcher.runners.get("r-1");
        backend.close(); // the parent's backend goes; its pool, abandoned, still reacts to the loss it reports
        await().atMost(Duration.ofSeconds(10)).until(() -> !lost.isEmpty());
        runner.stop(StopReason.LOST, Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS);
        assertFalse(remote.killed.get(), "a closed backend abandons its runners, never terminates them");
        await().atMost(Duration.ofSeconds(15)).until(() -> remote.exitReason != null); // it goes on its own
        assertTrue(remote.exitReason.startsWith("parent lost"), remote.exitReason);
        backend = backend("1.0");
    }

    @Test
    void heartbeatsKeepTheRunnerAlive() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        ThreadRunner remote = launcher.runners.get("r-1");
        // 3x the parent-loss timeout of 1 s: only heartbeats keep it up
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> remote.core.state() == RunnerCore.State.READY);
        assertEquals(RunnerState.READY, runner.state());
    }

    @Test
    void runnerStoppingOnItsOwnTakesNoNewCallsFinishesItsCallsThenIsReportedLost() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        CompletableFuture<Object> inFlight = runner.invoke(call("c-1", RemoteBackendTest::block, Duration.ofSeconds(60)));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        launcher.runners.get("r-1").core.beginStop("its idle failsafe", Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> runner.state() == RunnerState.DRAINING);
        assertInstanceOf(io.flameec2.FlameRejectedException.class,
                failure(runner.invoke(call("c-2", () -> 1, Duration.ofSeconds(5)))));
        assertTrue(lost.isEmpty());
        release.countDown();
        assertEquals("released", inFlight.get(10, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(5)).until(() -> lost.size() == 1);
        assertEquals(RunnerState.LOST, runner.state());
    }

    @Test
    void lostRunnerFailsInFlightCallsAndIsReportedOnce() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        CompletableFuture<Object> f = runner.invoke(call("c-1", RemoteBackendTest::block, Duration.ofSeconds(60)));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        launcher.runners.get("r-1").terminate(); // the process dies
        Throwable t = failure(f);
        assertInstanceOf(FlameRunnerLostException.class, t);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5_000, "lost quickly");
        await().atMost(Duration.ofSeconds(5)).until(() -> lost.size() == 1);
        assertEquals("r-1", lost.get(0).runnerId());
        assertEquals(RunnerState.LOST, runner.state());
        assertInstanceOf(FlameRunnerLostException.class, failure(runner.invoke(call("c-2", () -> 1, Duration.ofSeconds(5)))));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> lost.size() == 1);
    }

    @Test
    void joinTimeoutFailsTheBootWithDiagnostics() {
        launcher.startNothing = true;
        pool = pool.toBuilder().bootTimeout(Duration.ofSeconds(1)).build();
        CompletableFuture<FlameRunnerHandle> f = backend.boot(new RunnerBootSpec("r-9", pool), (id, e) -> { });
        FlameBootException e = assertInstanceOf(FlameBootException.class, failure(f));
        assertEquals("r-9", e.runnerId());
        assertTrue(e.getMessage().contains("did not join within boot-timeout 1000 ms (flame.pools.p.boot-timeout)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("CWWKZ0002E"), "quotes the diagnostics: " + e.getMessage());
    }

    @Test
    void theLauncherIsPreparedWhenTheBackendIsCreatedAndAFailedPreparationLeavesLaunchesToTheirOwnOutcome()
            throws Exception {
        CountDownLatch prepared = new CountDownLatch(1);
        List<String> launched = new CopyOnWriteArrayList<>();
        RunnerLauncher failingAhead = new RunnerLauncher() {
            @Override
            public void prepare() throws Exception {
                prepared.countDown();
                throw new java.io.IOException("no WAR yet");
            }

            @Override
            public LaunchedRunner launch(String runnerId, Map<String, String> env) throws Exception {
                launched.add(runnerId);
                throw new RunnerLauncher.LaunchFailedException("runner " + runnerId + ": no WAR yet", null, null,
                        false);
            }
        };
        RemoteBackend b = new RemoteBackend(new TestBackendContext(pool), failingAhead, RemoteSettings.read(
                ConfigLookup.of(Map.of(RemoteSettings.PARENT_HOST, "127.0.0.1"))));
        try {
            assertTrue(prepared.await(10, TimeUnit.SECONDS), "prepared with no boot asked for");
            assertEquals(List.of(), launched);
            FlameBootException e = assertInstanceOf(FlameBootException.class,
                    failure(b.boot(new RunnerBootSpec("r-7", pool), (id, x) -> { })));
            assertTrue(e.getMessage().contains("no WAR yet"), e.getMessage());
            assertEquals(List.of("r-7"), launched);
        } finally {
            b.close();
        }
    }

    @Test
    void aLaunchTheApiRefusedKeepsItsErrorCodeAndSaysWhetherARetryCanHelp() {
        RunnerLauncher refusing = (runnerId, env) -> {
            throw new RunnerLauncher.LaunchFailedException("RunInstances for runner " + runnerId + " failed: no such"
                    + " image", null, "InvalidAMIID.NotFound", false);
        };
        RemoteBackend b = new RemoteBackend(new TestBackendContext(pool), refusing, RemoteSettings.read(
                ConfigLookup.of(Map.of(RemoteSettings.PARENT_HOST, "127.0.0.1"))));
        try {
            FlameBootException e = assertInstanceOf(FlameBootException.class,
                    failure(b.boot(new RunnerBootSpec("r-8", pool), (id, x) -> { })));
            assertEquals(Optional.of("InvalidAMIID.NotFound"), e.errorCode());
            assertFalse(e.retryable(), "the same image is missing next time too");
            assertTrue(e.getMessage().contains("no such image"), e.getMessage());
        } finally {
            b.close();
        }
    }

    @Test
    void runnerThatDiesBeforeJoiningFailsTheBootEarly() {
        launcher.dieAtOnce = true;
        long t0 = System.nanoTime();
        FlameBootException e = assertInstanceOf(FlameBootException.class,
                failure(backend.boot(new RunnerBootSpec("r-9", pool), (id, x) -> { })));
        assertTrue(e.getMessage().contains("exited before joining"), e.getMessage());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < pool.bootTimeout().toMillis() / 2);
    }

    @Test
    void cancelledBootTerminatesWhatWasLaunched() {
        launcher.startNothing = true;
        CompletableFuture<FlameRunnerHandle> f = backend.boot(new RunnerBootSpec("r-5", pool), (id, x) -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> launcher.dormant.containsKey("r-5"));
        f.cancel(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> !launcher.dormant.get("r-5").isAlive());
    }

    @Test
    void versionMismatchFailsTheBootNamingBothVersions() {
        launcher.runnerAppVersion = "2.0";
        launcher.ignoreTerminate = true; // the runner must hear the refusal and exit on its own
        FlameBootException e = assertInstanceOf(FlameBootException.class,
                failure(backend.boot(new RunnerBootSpec("r-2", pool), (id, x) -> { })));
        assertTrue(e.getMessage().contains("the parent runs 1.0, runner r-2 runs 2.0"), e.getMessage());
        ThreadRunner remote = launcher.runners.get("r-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> remote.exitReason != null);
        assertTrue(remote.exitReason.contains("refused the join: application version mismatch"),
                remote.exitReason);
    }

    @Test
    void stopDrainsInFlightCallsThenTheRunnerExits() throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        ThreadRunner remote = launcher.runners.get("r-1");
        CompletableFuture<Object> f = runner.invoke(call("c-1", RemoteBackendTest::block, Duration.ofSeconds(60)));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> stopped = runner.stop(StopReason.IDLE, Duration.ofSeconds(10));
        assertEquals(RunnerState.DRAINING, runner.state());
        await().atMost(Duration.ofSeconds(5)).until(() -> remote.core.state() == RunnerCore.State.DRAINING);
        assertFalse(stopped.isDone(), "waits for the in-flight call");
        release.countDown();
        assertEquals("released", f.get(10, TimeUnit.SECONDS));
        stopped.get(15, TimeUnit.SECONDS);
        assertEquals(RunnerState.STOPPED, runner.state());
        assertEquals("the parent asked", remote.exitReason);
        assertTrue(lost.isEmpty(), "a requested stop is not a loss");
        assertTrue(runner.stop(StopReason.IDLE, Duration.ZERO).isDone(), "idempotent");
    }
}
