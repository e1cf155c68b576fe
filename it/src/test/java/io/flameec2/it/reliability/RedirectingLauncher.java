package io.flameec2.it.reliability;

import io.flameec2.impl.remote.JoinOrigin;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.RunnerLauncher;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.backend.process.ProcessBackendFactory;
import io.flameec2.impl.config.ConfigBackendContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Launches real Liberty runner processes (the process backend's own launcher) but tells them a parent
 * address of the test's choosing (a hijacked address: the fingerprint stays the real parent's), and does
 * not let the parent kill them when their boot times out: whether a runner ends by itself is what the test
 * wants to see. {@link #close()} kills what is left.
 */
final class RedirectingLauncher implements RunnerLauncher {

    private final RunnerLauncher real;
    private final String parentAddress;
    final AtomicInteger terminationsSuppressed = new AtomicInteger();
    final CompletableFuture<LaunchedRunner> launched = new CompletableFuture<>();

    RedirectingLauncher(String pool, Path bundle, String parentAddress) throws Exception {
        this.real = processLauncher(pool, bundle, Path.of(System.getProperty("java.home")));
        this.parentAddress = parentAddress;
    }

    /** The process backend's own launcher for a pool of this bundle. */
    static RunnerLauncher processLauncher(String pool, Path bundle, Path javaHome) {
        FlamePoolConfig config = FlamePoolConfig.builder(pool).max(1).backend("process").build();
        return new ProcessBackendFactory().launcher(ConfigBackendContext.of(config,
                Map.of(FlamePoolConfig.key(pool, "process.bundle"), bundle.toString(),
                        FlamePoolConfig.key(pool, "process.java-home"), javaHome.toString()), "it-redirect"));
    }

    @Override
    public LaunchedRunner launch(String runnerId, Map<String, String> env) throws Exception {
        Map<String, String> redirected = new HashMap<>(env);
        redirected.put(RunnerEnv.PARENT_ADDRESS, parentAddress);
        LaunchedRunner r = real.launch(runnerId, redirected);
        LaunchedRunner kept = new LaunchedRunner() {
            @Override
            public String describe() {
                return r.describe();
            }

            @Override
            public boolean isAlive() {
                return r.isAlive();
            }

            @Override
            public JoinOrigin joinOrigin() {
                return r.joinOrigin();
            }

            @Override
            public void terminate() {
                terminationsSuppressed.incrementAndGet();
            }

            @Override
            public String diagnostics() {
                return r.diagnostics();
            }
        };
        launched.complete(r);
        return kept;
    }

    @Override
    public void close() {
        real.close();
    }
}
