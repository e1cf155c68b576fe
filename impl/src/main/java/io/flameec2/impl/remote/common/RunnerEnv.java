package io.flameec2.impl.remote.common;

/**
 * The environment variables a parent hands a runner at boot, in every backend: process env for local
 * Liberty processes, the env file written by EC2 user-data. One place, so backends and the runner agree.
 */
public final class RunnerEnv {

    /** Set on runners only: this JVM is a runner. Value {@code true}. */
    public static final String RUNNER = "FLAME_RUNNER";
    /** The runner's id, given by the pool. */
    public static final String RUNNER_ID = "FLAME_RUNNER_ID";
    /** The pool the runner belongs to. */
    public static final String POOL = "FLAME_POOL";
    /** The parent's id (unique per parent start). */
    public static final String PARENT_ID = "FLAME_PARENT_ID";
    /** Where the runner connects: the parent channel's {@code host:port}. */
    public static final String PARENT_ADDRESS = "FLAME_PARENT_ADDRESS";
    /** The SHA-256 fingerprint of the parent's TLS certificate (public); the runner trusts no other. */
    public static final String PARENT_FINGERPRINT = "FLAME_PARENT_FINGERPRINT";
    /**
     * The runner's one-time join token, base64url, fresh for every runner: valid until its boot-timeout and
     * burned by its first successful join, so a copy read later (from EC2 user-data) is worthless.
     */
    public static final String JOIN_TOKEN = "FLAME_JOIN_TOKEN";
    /**
     * The application version the parent runs; the runner refuses to join on a mismatch. Not
     * {@code FLAME_APP_VERSION}: MicroProfile Config maps that variable onto {@code flame.app-version}, so the
     * runner would take the parent's version for its own and never see a mismatch.
     */
    public static final String APP_VERSION = "FLAME_PARENT_APP_VERSION";
    /** Milliseconds the runner has to join before it shuts itself down (failsafe). */
    public static final String BOOT_TIMEOUT_MS = "FLAME_BOOT_TIMEOUT_MS";
    /** Milliseconds without a parent heartbeat after which the runner drains and exits. */
    public static final String PARENT_LOSS_TIMEOUT_MS = "FLAME_PARENT_LOSS_TIMEOUT_MS";
    /** Milliseconds of idleness after which the runner shuts itself down. */
    public static final String IDLE_SHUTDOWN_MS = "FLAME_IDLE_SHUTDOWN_MS";
    /** Milliseconds in-flight calls get to drain when the runner stops. */
    public static final String SHUTDOWN_TIMEOUT_MS = "FLAME_SHUTDOWN_TIMEOUT_MS";
    /**
     * The HTTP port of the runner's Liberty server, which listens on loopback only unless the application
     * configures it otherwise: nothing of FlameEC2 reaches a runner over it.
     */
    public static final String HTTP_PORT = "FLAME_HTTP_PORT";
    /**
     * The EC2 market the runner's instance was launched in, {@code spot} or {@code on-demand} (absent outside
     * EC2). A spot runner watches the instance metadata for its interruption notice and retires ahead of it.
     */
    public static final String MARKET = "FLAME_MARKET";
    /**
     * The instance metadata service a spot runner watches, when not the one every instance reaches
     * ({@code http://169.254.169.254}); for tests.
     */
    public static final String IMDS_ENDPOINT = "FLAME_IMDS_ENDPOINT";

    /**
     * Set by a launcher that boots the runner's machine itself (EC2 user-data): {@code phase=epochMillis,...},
     * the end of each phase before the JVM started, on the runner machine's clock ({@code instance}, {@code
     * java}, {@code bundle}). Reported with the join as offsets from the JVM's start.
     */
    public static final String BOOT_MARKS = "FLAME_BOOT_MARKS";

    /**
     * {@code on} when the parent's application uses the OpenTelemetry API (its server has MicroProfile
     * Telemetry, and a class of its WAR names an OpenTelemetry type): the runner's {@code server.xml} then loads
     * {@code mpTelemetry-2.0} even with telemetry off, since those classes need the API. Read by Liberty as the variable
     * {@code flame.runner.telemetry.api}.
     */
    public static final String TELEMETRY_API = "FLAME_RUNNER_TELEMETRY_API";

    private RunnerEnv() {
    }
}
