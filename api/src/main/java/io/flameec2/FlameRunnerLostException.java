package io.flameec2;

/**
 * The runner executing a call went away (its process or instance died, or it stopped answering) before the
 * call ended. Only the calls on that runner fail; the pool boots new capacity on demand, so the call is
 * {@linkplain #retryable() retryable}: a MicroProfile {@code @Retry(retryOn = FlameRunnerLostException.class)}
 * sends it again. The work may have run in part on the lost runner.
 */
public class FlameRunnerLostException extends FlameRunnerException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates a runner-lost failure.
     *
     * @param pool the pool
     * @param runnerId the runner that was lost
     * @param message how it was lost
     * @param cause the underlying failure, or {@code null}
     */
    public FlameRunnerLostException(String pool, String runnerId, String message, Throwable cause) {
        super(pool, runnerId, "runner " + runnerId + " of pool '" + pool + "' was lost: " + message, cause);
    }

    /**
     * Always: another runner can take the call.
     *
     * @return {@code true}
     */
    @Override
    public boolean retryable() {
        return true;
    }
}
