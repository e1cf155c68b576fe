package io.flameec2.it.reliability;

import io.flameec2.impl.remote.JoinOrigin;
import io.flameec2.impl.remote.RunnerLauncher;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A launcher that launches nothing: it records the environment the parent hands each runner (its join token
 * among it) and reports a process that lives until terminated and may join from loopback. What a thief who
 * read a runner's environment holds, without the runner.
 */
final class RecordingLauncher implements RunnerLauncher {

    private final Map<String, CompletableFuture<Map<String, String>>> envs = new ConcurrentHashMap<>();

    /** The environment runner {@code runnerId} was launched with, once it was. */
    CompletableFuture<Map<String, String>> env(String runnerId) {
        return envs.computeIfAbsent(runnerId, k -> new CompletableFuture<>());
    }

    @Override
    public LaunchedRunner launch(String runnerId, Map<String, String> env) {
        env(runnerId).complete(Map.copyOf(env));
        return new LaunchedRunner() {
            private volatile boolean alive = true;

            @Override
            public String describe() {
                return "nothing (recorded " + runnerId + ")";
            }

            @Override
            public boolean isAlive() {
                return alive;
            }

            @Override
            public JoinOrigin joinOrigin() {
                return JoinOrigin.loopback();
            }

            @Override
            public void terminate() {
                alive = false;
            }

            @Override
            public String diagnostics() {
                return "";
            }
        };
    }
}
