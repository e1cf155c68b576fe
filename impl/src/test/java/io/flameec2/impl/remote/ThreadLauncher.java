package io.flameec2.impl.remote;

import io.flameec2.impl.exec.InvocationRunners;
import io.flameec2.impl.remote.runner.JdkRunnerServer;
import io.flameec2.impl.remote.runner.RunnerCore;
import io.flameec2.impl.remote.runner.RunnerSettings;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireFilter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A launcher whose "runner" is a {@link RunnerCore} behind a JDK HTTP server in this JVM: the whole wire
 * protocol, authentication and lifecycle run for real, only the process boundary is missing.
 */
final class ThreadLauncher implements RunnerLauncher {

    final Map<String, ThreadRunner> runners = new ConcurrentHashMap<>();
    final Map<String, Dormant> dormant = new ConcurrentHashMap<>();
    /** The version the runners claim; {@code null}: the one the parent sent. */
    volatile String runnerAppVersion;
    /** Launch nothing: the runner never registers. */
    volatile boolean startNothing;
    /** Launch something that is dead at once. */
    volatile boolean dieAtOnce;

    @Override
    public LaunchedRunner launch(String runnerId, Map<String, String> env) throws IOException {
        if (startNothing || dieAtOnce) {
            Dormant d = new Dormant(runnerId, !dieAtOnce);
            dormant.put(runnerId, d);
            return d;
        }
        ThreadRunner r = new ThreadRunner(runnerId, env,
                runnerAppVersion != null ? runnerAppVersion : env.get(RunnerEnv.APP_VERSION));
        runners.put(runnerId, r);
        return r;
    }

    void killAll() {
        runners.values().forEach(r -> {
            r.terminate();
            r.core.beginStop("test over", Duration.ZERO);
        });
    }

    /** One in-JVM runner. */
    static final class ThreadRunner implements LaunchedRunner {
        final Map<String, String> env;
        final JdkRunnerServer server;
        final RunnerCore core;
        final AtomicBoolean killed = new AtomicBoolean();
        volatile String exitReason;

        ThreadRunner(String runnerId, Map<String, String> env, String appVersion) throws IOException {
            this.env = Map.copyOf(env);
            this.server = JdkRunnerServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            this.core = new RunnerCore(RunnerSettings.fromEnv(env, appVersion), new WireCodec(WireFilter.defaults()),
                    getClass().getClassLoader(), InvocationRunners::current, r -> {
                        Thread t = new Thread(r, "test-runner-" + runnerId);
                        t.setDaemon(true);
                        return t;
                    }, (reason, grace) -> {
                        exitReason = reason;
                        server.close();
                    });
            server.serve(core);
            core.start(server.baseUrl());
        }

        @Override
        public String describe() {
            return "thread runner at " + server.baseUrl();
        }

        @Override
        public boolean isAlive() {
            return !killed.get() && exitReason == null;
        }

        @Override
        public void terminate() {
            // like a killed process as the network sees it: nothing answers any more. The core's own
            // timers keep going (they end it when heartbeats stop), so tests can still observe its decisions
            if (killed.compareAndSet(false, true)) {
                server.close();
            }
        }

        @Override
        public String diagnostics() {
            return "thread runner " + core.settings().runnerId() + " state " + core.state();
        }
    }

    /** A runner that never registers (stuck boot) or is dead at once (crashed process). */
    static final class Dormant implements LaunchedRunner {
        final String runnerId;
        final AtomicBoolean alive;

        Dormant(String runnerId, boolean alive) {
            this.runnerId = runnerId;
            this.alive = new AtomicBoolean(alive);
        }

        @Override
        public String describe() {
            return "dormant " + runnerId;
        }

        @Override
        public boolean isAlive() {
            return alive.get();
        }

        @Override
        public void terminate() {
            alive.set(false);
        }

        @Override
        public String diagnostics() {
            return "line 1\n[ERROR] CWWKZ0002E: An exception occurred while starting the application demo";
        }
    }
}
