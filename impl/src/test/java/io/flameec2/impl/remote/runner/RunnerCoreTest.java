package io.flameec2.impl.remote.runner;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.exec.InvocationRunner;
import io.flameec2.impl.remote.ParentEndpoint;
import io.flameec2.impl.remote.RemoteSettings;
import io.flameec2.impl.remote.RunnerEnv;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireFilter;
import io.flameec2.impl.wire.WireSecret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner's own lifecycle decisions: registration retries, boot failsafe, idle failsafe. */
class RunnerCoreTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private volatile String exitReason;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private RunnerCore core(Map<String, String> extraEnv, int parentPort, String secret) throws IOException {
        JdkRunnerServer server = JdkRunnerServer.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        cleanup.add(server);
        RunnerCore core = unstartedCore(extraEnv, parentPort, secret);
        server.serve(core);
        core.start(server.baseUrl());
        return core;
    }

    private RunnerCore unstartedCore(Map<String, String> extraEnv, int parentPort, String secret) {
        Map<String, String> env = new HashMap<>(Map.of(RunnerEnv.RUNNER, "true", RunnerEnv.RUNNER_ID, "r-7",
                RunnerEnv.SECRET, secret, RunnerEnv.PARENT_URL, "http://127.0.0.1:" + parentPort + "/flame/parent"));
        env.putAll(extraEnv);
        RunnerCore core = new RunnerCore(RunnerSettings.fromEnv(env, "unversioned"), new WireCodec(WireFilter.defaults()),
                getClass().getClassLoader(), InvocationRunner::closuresOnly, r -> {
                    Thread t = new Thread(r);
                    t.setDaemon(true);
                    return t;
                }, (reason, grace) -> exitReason = reason);
        cleanup.add(() -> core.beginStop("test over", Duration.ZERO));
        return core;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private ParentEndpoint parent(int port) throws IOException {
        ParentEndpoint p = ParentEndpoint.acquire(RemoteSettings.read(ConfigLookup.of(Map.of(
                RemoteSettings.PARENT_HOST, "127.0.0.1", RemoteSettings.PARENT_PORT, Integer.toString(port)))));
        cleanup.add(p::release);
        return p;
    }

    @Test
    void retriesRegistrationUntilTheParentListens() throws Exception {
        int port = freePort();
        String secret = WireSecret.generate();
        RunnerCore core = core(Map.of(), port, secret);
        var registration = parent(port).expect("r-7", secret, "unversioned");
        var reg = registration.get(20, TimeUnit.SECONDS);
        assertTrue(reg.url().toString().endsWith(RunnerCore.BASE_PATH), reg.url().toString());
        await().atMost(Duration.ofSeconds(5)).until(() -> core.state() == RunnerCore.State.READY);
    }

    @Test
    void registersOnlyOnceItsOwnHttpPortAcceptsConnections() throws Exception {
        // like Open Liberty, which binds its HTTP port only when the server is ready, after the application (and
        // so this core) started: a runner that registered before would have its first call refused
        int port = freePort();
        String secret = WireSecret.generate();
        var registration = parent(port).expect("r-7", secret, "unversioned");
        int selfPort = freePort();
        RunnerCore core = unstartedCore(Map.of(), port, secret);
        core.start(URI.create("http://127.0.0.1:" + selfPort + RunnerCore.BASE_PATH));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !registration.isDone());
        assertEquals(RunnerCore.State.REGISTERING, core.state());
        try (ServerSocket listening = new ServerSocket(selfPort, 50, InetAddress.getLoopbackAddress())) {
            assertEquals("http://127.0.0.1:" + selfPort + RunnerCore.BASE_PATH,
                    registration.get(20, TimeUnit.SECONDS).url().toString());
            await().atMost(Duration.ofSeconds(5)).until(() -> core.state() == RunnerCore.State.READY);
        }
    }

    @Test
    void exitsWhenItCannotRegisterWithinTheBootTimeout() throws Exception {
        RunnerCore core = core(Map.of(RunnerEnv.BOOT_TIMEOUT_MS, "1000"), freePort(), WireSecret.generate());
        await().atMost(Duration.ofSeconds(10)).until(() -> exitReason != null);
        assertEquals(RunnerCore.State.EXITED, core.state());
        assertTrue(exitReason.contains("not registered with parent") && exitReason.contains("within 1000 ms"),
                exitReason);
    }

    @Test
    void registrationSignedWithAnotherSecretIsRefusedAndTheRunnerGivesUp() throws Exception {
        int port = freePort();
        var registration = parent(port).expect("r-7", WireSecret.generate(), "unversioned");
        RunnerCore core = core(Map.of(RunnerEnv.BOOT_TIMEOUT_MS, "1500"), port, WireSecret.generate());
        await().atMost(Duration.ofSeconds(10)).until(() -> exitReason != null);
        assertTrue(exitReason.contains("401"), exitReason);
        assertTrue(!registration.isDone(), "an unauthenticated registration completes nothing");
        assertEquals(RunnerCore.State.EXITED, core.state());
    }

    @Test
    void idleFailsafeStopsARunnerNobodyCalls() throws Exception {
        int port = freePort();
        String secret = WireSecret.generate();
        var registration = parent(port).expect("r-7", secret, "unversioned");
        RunnerCore core = core(Map.of(RunnerEnv.IDLE_SHUTDOWN_MS, "500"), port, secret);
        registration.get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(8)).until(() -> exitReason != null);
        assertTrue(exitReason.startsWith("idle for "), exitReason);
        assertEquals(RunnerCore.State.EXITED, core.state());
    }
}
