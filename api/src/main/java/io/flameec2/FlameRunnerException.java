package io.flameec2;

/**
 * A failure of one runner of a pool: it failed to boot ({@link FlameBootException}) or was lost
 * ({@link FlameRunnerLostException}). Names the pool and the runner, once, here.
 */
public abstract class FlameRunnerException extends FlameException {

    private static final long serialVersionUID = 1L;

    private final String pool;
    private final String runnerId;

    /**
     * Creates a runner failure.
     *
     * @param pool the pool
     * @param runnerId the runner
     * @param message the whole message, naming the pool and the runner
     * @param cause the underlying failure, or {@code null}
     */
    protected FlameRunnerException(String pool, String runnerId, String message, Throwable cause) {
        super(message, cause);
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
     * The runner that failed.
     *
     * @return the runner id
     */
    public String runnerId() {
        return runnerId;
    }
}
