package io.flameec2.impl.remote;

import io.flameec2.impl.exec.Invokers;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.runner.RunnerCore;
import io.flameec2.impl.remote.runner.RunnerSettings;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireFilter;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A launcher whose "runner" is a {@link RunnerCore} in this JVM: the channel (TLS, join, frames), the wire
 * protocol and the lifecycle run for real over loopback; only the process boundary is missing.
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
    /** Runners outlive {@link LaunchedRunner#terminate()}, as an instance the parent cannot reach would. */
    volatile boolean ignoreTerminate;
    /** Added to every runner's environment, as a launcher adds its own ({@code FLAME_MARKET} on EC2). */
    volatile Map<String, String> extraEnv = Map.of();

    @Override
    public LaunchedRunner launch(String runnerId, Map<String, String> env) throws IOException {
        if (startNothing || dieAtOnce) {
            Dormant d = new Dormant(runnerId, !dieAtOnce);
            dormant.put(runnerId, d);
            return d;
        }
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(extraEnv);
        ThreadRunner r = new ThreadRunner(this, runnerId, all,
                runnerAppVersion != null ? runnerAppVersion : env.get(RunnerEnv.APP_VERSION));
        runners.put(runnerId, r);
        return r;
    }

    void killAll() {
        ignoreTerminate = false;
        runners.values().forEach(r -> {
            r.terminate();
            r.core.beginStop("test over", Duration.ZERO);
        });
    }

    /** One in-JVM runner. */
    static final class ThreadRunner implements LaunchedRunner {
        final Map<String, String> env;
        final RunnerCore core;
        final AtomicBoolean killed = new AtomicBoolean();
        private final ThreadLauncher launcher;
        volatile String exitReason;

        ThreadRunner(ThreadLauncher launcher, String runnerId, Map<String, String> env, String appVersion)
                throws IOException {
            this.launcher = launcher;
            this.env = Map.copyOf(env);
            this.core = new RunnerCore(RunnerSettings.fromEnv(env, appVersion), new WireCodec(WireFilter.defaults()),
                    getClass().getClassLoader(), Invokers::current, r -> {
                        Thread t = new Thread(r, "test-runner-" + runnerId);
                        t.setDaemon(true);
                        return t;
                    }, (reason, grace) -> exitReason = reason);
            core.start();
        }

        @Override
        public String describe() {
            return "thread runner " + core.settings().runnerId();
        }

        @Override
        public JoinOrigin joinOrigin() {
            return JoinOrigin.loopback();
        }

        @Override
        public boolean isAlive() {
            return !killed.get() && exitReason == null;
        }

        @Override
        public String market() {
            return env.getOrDefault(RunnerEnv.MARKET, "on-demand");
        }

        @Override
        public void terminate() {
            // like a killed process as the network sees it: its connection is reset, nothing drains
            if (!launcher.ignoreTerminate && killed.compareAndSet(false, true)) {
                core.abort("killed");
            }
        }

        @Override
        public String diagnostics() {
            return "thread runner " + core.settings().runnerId() + " state " + core.state()
                    + core.stopReason().map(r -> ", stopped: " + r).orElse("");
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
        public JoinOrigin joinOrigin() {
            return JoinOrigin.loopback();
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
