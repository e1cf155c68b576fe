package io.flameec2.impl.remote;

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
    /** Where the runner registers: the parent's callback base URL. */
    public static final String PARENT_URL = "FLAME_PARENT_URL";
    /** The per-runner shared secret, base64url, fresh for every runner. */
    public static final String SECRET = "FLAME_SECRET";
    /**
     * The application version the parent runs; the runner refuses to register on a mismatch. Not
     * {@code FLAME_APP_VERSION}: MicroProfile Config maps that variable onto {@code flame.app-version}, so the
     * runner would take the parent's version for its own and never see a mismatch.
     */
    public static final String APP_VERSION = "FLAME_PARENT_APP_VERSION";
    /** Milliseconds the runner has to register before it shuts itself down (failsafe). */
    public static final String BOOT_TIMEOUT_MS = "FLAME_BOOT_TIMEOUT_MS";
    /** Milliseconds without a parent heartbeat after which the runner drains and exits. */
    public static final String PARENT_LOSS_TIMEOUT_MS = "FLAME_PARENT_LOSS_TIMEOUT_MS";
    /** Milliseconds of idleness after which the runner shuts itself down. */
    public static final String IDLE_SHUTDOWN_MS = "FLAME_IDLE_SHUTDOWN_MS";
    /** Milliseconds in-flight calls get to drain when the runner stops. */
    public static final String SHUTDOWN_TIMEOUT_MS = "FLAME_SHUTDOWN_TIMEOUT_MS";
    /** The HTTP port the runner's Liberty server listens on. */
    public static final String HTTP_PORT = "FLAME_HTTP_PORT";
    /**
     * The host or address the parent reaches the runner at (the runner adds its port and context root);
     * launchers that know it set it: {@code 127.0.0.1} for local processes, the private IPv4 on EC2.
     */
    public static final String ADVERTISE_HOST = "FLAME_RUNNER_HOST";
    /** The base URL the parent reaches the runner at, if the runner cannot work it out itself. */
    public static final String ADVERTISE_URL = "FLAME_RUNNER_URL";

    private RunnerEnv() {
    }
}
