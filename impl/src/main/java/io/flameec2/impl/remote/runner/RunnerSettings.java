package io.flameec2.impl.remote.runner;

import io.flameec2.impl.remote.RunnerEnv;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What a runner was told at boot ({@link RunnerEnv} variables), plus its own application version.
 *
 * @param runnerId the runner's id
 * @param pool its pool
 * @param parentId the parent's id
 * @param parentUrl the parent's callback base URL; the runner registers at {@code <parentUrl>/register/<id>}
 * @param secret the shared secret
 * @param expectedAppVersion the parent's application version, or empty when the parent sent none
 * @param appVersion this runner's application version
 * @param bootTimeout how long registration may take before the runner gives up and exits
 * @param parentLossTimeout no heartbeat this long: drain and exit
 * @param idleShutdown no call this long: drain and exit; empty for never
 * @param shutdownTimeout how long in-flight calls may drain when stopping
 * @param advertiseUrl the base URL the parent reaches this runner at, when given
 * @param httpPort the HTTP port of this server, for the advertised URL
 */
public record RunnerSettings(String runnerId, String pool, String parentId, URI parentUrl, String secret,
        Optional<String> expectedAppVersion, String appVersion, Duration bootTimeout, Duration parentLossTimeout,
        Optional<Duration> idleShutdown, Duration shutdownTimeout, Optional<URI> advertiseUrl, int httpPort) {

    /** Defaults when the parent sent no value. */
    static final Duration DEFAULT_BOOT_TIMEOUT = Duration.ofSeconds(300);
    static final Duration DEFAULT_PARENT_LOSS = Duration.ofSeconds(10);
    static final Duration DEFAULT_SHUTDOWN = Duration.ofSeconds(30);
    static final int DEFAULT_HTTP_PORT = 9080;

    /**
     * Whether this JVM is a runner.
     *
     * @param env the environment
     * @return {@code true} when {@code FLAME_RUNNER=true}
     */
    public static boolean isRunner(Map<String, String> env) {
        return "true".equalsIgnoreCase(env.getOrDefault(RunnerEnv.RUNNER, "").trim());
    }

    /**
     * Reads the runner's environment.
     *
     * @param env the environment
     * @param appVersion this runner's application version
     * @return the settings
     * @throws IllegalArgumentException naming the variable that is missing or invalid
     */
    public static RunnerSettings fromEnv(Map<String, String> env, String appVersion) {
        String parent = required(env, RunnerEnv.PARENT_URL);
        URI parentUrl = uri(RunnerEnv.PARENT_URL, parent.endsWith("/") ? parent.substring(0, parent.length() - 1) : parent);
        return new RunnerSettings(required(env, RunnerEnv.RUNNER_ID), env.getOrDefault(RunnerEnv.POOL, "default"),
                env.getOrDefault(RunnerEnv.PARENT_ID, "unknown"), parentUrl, required(env, RunnerEnv.SECRET),
                Optional.ofNullable(env.get(RunnerEnv.APP_VERSION)).filter(v -> !v.isBlank()).map(String::trim),
                appVersion, millis(env, RunnerEnv.BOOT_TIMEOUT_MS).orElse(DEFAULT_BOOT_TIMEOUT),
                millis(env, RunnerEnv.PARENT_LOSS_TIMEOUT_MS).orElse(DEFAULT_PARENT_LOSS),
                millis(env, RunnerEnv.IDLE_SHUTDOWN_MS),
                millis(env, RunnerEnv.SHUTDOWN_TIMEOUT_MS).orElse(DEFAULT_SHUTDOWN),
                Optional.ofNullable(env.get(RunnerEnv.ADVERTISE_URL)).filter(v -> !v.isBlank())
                        .map(v -> uri(RunnerEnv.ADVERTISE_URL, v.trim())),
                Optional.ofNullable(env.get(RunnerEnv.HTTP_PORT)).filter(v -> !v.isBlank())
                        .map(v -> (int) number(RunnerEnv.HTTP_PORT, v)).orElse(DEFAULT_HTTP_PORT));
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is not set; a runner needs it");
        }
        return v.trim();
    }

    /** A positive number of milliseconds; 0 or absent means unset. */
    private static Optional<Duration> millis(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        long ms = number(name, v);
        return ms <= 0 ? Optional.empty() : Optional.of(Duration.ofMillis(ms));
    }

    private static long number(String name, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("environment variable " + name + " must be a number, was '" + v + "'");
        }
    }

    private static URI uri(String name, String v) {
        try {
            URI u = URI.create(v);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw new IllegalArgumentException("not http(s)");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("environment variable " + name + " must be an http(s) URL, was '" + v + "'");
        }
    }
}
