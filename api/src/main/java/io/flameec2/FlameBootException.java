package io.flameec2;

/**
 * A runner could not be booted (the backend failed, or the runner did not join within
 * {@code boot-timeout}); the calls that waited for it fail with this exception.
 */
public class FlameBootException extends FlameException {

    private static final long serialVersionUID = 1L;

    private final String pool;
    private final String runnerId;

    /**
     * Creates a boot failure.
     *
     * @param pool the pool
     * @param runnerId the runner that failed to boot
     * @param message what went wrong and where to look
     * @param cause the underlying failure, or {@code null}
     */
    public FlameBootException(String pool, String runnerId, String message, Throwable cause) {
        super("runner " + runnerId + " of pool '" + pool + "' failed to boot: " + message, cause);
        this.pool = pool;
        this.runnerId = runnerId;
    }

    /**
     * The pool of the runner.
     *
     * @return the pool name
     */
    public String pool() {
        return pool;
    }

    /**
     * The runner that failed to boot.
     *
     * @return the runner id
     */
    public String runnerId() {
        return runnerId;
    }
}
