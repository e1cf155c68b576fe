package io.flameec2;

/**
 * The runner executing a call went away (its process or instance died, or it stopped answering) before the
 * call ended. Only the calls on that runner fail; the pool boots new capacity on demand. A
 * MicroProfile {@code @Retry(retryOn = FlameRunnerLostException.class)} sends the call again.
 */
public class FlameRunnerLostException extends FlameException {

    private static final long serialVersionUID = 1L;

    private final String pool;
    private final String runnerId;

    /**
     * Creates a runner-lost failure.
     *
     * @param pool the pool
     * @param runnerId the runner that was lost
     * @param message how it was lost
     * @param cause the underlying failure, or {@code null}
     */
    public FlameRunnerLostException(String pool, String runnerId, String message, Throwable cause) {
        super("runner " + runnerId + " of pool '" + pool + "' was lost: " + message, cause);
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
     * The runner that was lost.
     *
     * @return the runner id
     */
    public String runnerId() {
        return runnerId;
    }
}
