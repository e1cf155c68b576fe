package io.flameec2.impl.remote.runner;

import io.flameec2.impl.remote.common.RunnerEnv;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What a runner was told at boot ({@link RunnerEnv} variables), plus its own application version.
 *
 * @param runnerId the runner's id
 * @param pool its pool
 * @param parentId the parent's id
 * @param parentHost the host of the parent's channel
 * @param parentPort its port
 * @param parentFingerprint the SHA-256 fingerprint of the parent's certificate; no other is trusted
 * @param joinToken the one-time join token
 * @param expectedAppVersion the parent's application version, or empty when the parent sent none
 * @param appVersion this runner's application version
 * @param bootTimeout how long joining may take before the runner gives up and exits
 * @param parentLossTimeout no heartbeat this long: drain and exit
 * @param idleShutdown no call this long: drain and exit; empty for never
 * @param shutdownTimeout how long the whole stop may take
 * @param market the EC2 market of the runner's instance ({@code spot}, {@code on-demand}); empty outside EC2
 * @param imdsEndpoint the instance metadata service a spot runner watches for its interruption notice; empty for
 *     the one every instance reaches
 */
public record RunnerSettings(String runnerId, String pool, String parentId, String parentHost, int parentPort,
        String parentFingerprint, String joinToken, Optional<String> expectedAppVersion, String appVersion,
        Duration bootTimeout, Duration parentLossTimeout, Optional<Duration> idleShutdown, Duration shutdownTimeout,
        Optional<String> market, Optional<URI> imdsEndpoint) {

    /** The {@link #market()} of a spot instance. */
    public static final String SPOT = "spot";

    /**
     * Whether the runner runs on a spot instance, which EC2 may take back with a notice the runner watches for.
     *
     * @return {@code true} for {@code FLAME_MARKET=spot}
     */
    public boolean spot() {
        return market.filter(SPOT::equals).isPresent();
    }

    /**
     * No token in {@link #toString()}: it may go to logs.
     *
     * @return the settings without the token
     */
    @Override
    public String toString() {
        return "RunnerSettings[runnerId=" + runnerId + ", pool=" + pool + ", parentId=" + parentId + ", parent="
                + parentAddress() + ", appVersion=" + appVersion + ", market=" + market.orElse("none") + "]";
    }

    /**
     * The parent's channel address.
     *
     * @return {@code host:port}
     */
    public String parentAddress() {
        return (parentHost.contains(":") ? "[" + parentHost + "]" : parentHost) + ":" + parentPort;
    }

    /** Defaults when the parent sent no value. */
    static final Duration DEFAULT_BOOT_TIMEOUT = Duration.ofSeconds(300);
    static final Duration DEFAULT_PARENT_LOSS = Duration.ofSeconds(10);
    static final Duration DEFAULT_SHUTDOWN = Duration.ofSeconds(30);

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
        String address = required(env, RunnerEnv.PARENT_ADDRESS);
        URI parent;
        try {
            parent = new URI("tls://" + address);
        } catch (URISyntaxException e) {
            parent = null;
        }
        if (parent == null || parent.getHost() == null || parent.getPort() <= 0) {
            throw new IllegalArgumentException("environment variable " + RunnerEnv.PARENT_ADDRESS
                    + " must be host:port, was '" + address + "'");
        }
        String host = parent.getHost().startsWith("[") ? parent.getHost().substring(1, parent.getHost().length() - 1)
                : parent.getHost();
        return new RunnerSettings(required(env, RunnerEnv.RUNNER_ID), env.getOrDefault(RunnerEnv.POOL, "default"),
                env.getOrDefault(RunnerEnv.PARENT_ID, "unknown"), host, parent.getPort(),
                required(env, RunnerEnv.PARENT_FINGERPRINT), required(env, RunnerEnv.JOIN_TOKEN),
                Optional.ofNullable(env.get(RunnerEnv.APP_VERSION)).filter(v -> !v.isBlank()).map(String::trim),
                appVersion, millis(env, RunnerEnv.BOOT_TIMEOUT_MS).orElse(DEFAULT_BOOT_TIMEOUT),
                millis(env, RunnerEnv.PARENT_LOSS_TIMEOUT_MS).orElse(DEFAULT_PARENT_LOSS),
                millis(env, RunnerEnv.IDLE_SHUTDOWN_MS),
                millis(env, RunnerEnv.SHUTDOWN_TIMEOUT_MS).orElse(DEFAULT_SHUTDOWN),
                Optional.ofNullable(env.get(RunnerEnv.MARKET)).map(String::trim).filter(v -> !v.isEmpty()),
                endpoint(env, RunnerEnv.IMDS_ENDPOINT));
    }

    private static Optional<URI> endpoint(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(v.trim());
            if ("http".equals(uri.getScheme()) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException("environment variable " + name + " must be an http:// URL, was '" + v
                + "'");
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

}
