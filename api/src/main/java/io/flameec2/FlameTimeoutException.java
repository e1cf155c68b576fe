package io.flameec2;

import java.time.Duration;

/**
 * A call did not end within its timeout: either no runner had a free slot in time, or the remote work ran
 * past its deadline (and was interrupted on the runner).
 */
public class FlameTimeoutException extends FlameException {

    private static final long serialVersionUID = 1L;

    private final String pool;
    private final Duration timeout;

    /**
     * Creates a timeout failure.
     *
     * @param pool the pool
     * @param timeout the timeout that passed
     * @param message what the call was waiting for
     */
    public FlameTimeoutException(String pool, Duration timeout, String message) {
        super("call on pool '" + pool + "' timed out after " + timeout.toMillis() + " ms: " + message);
        this.pool = pool;
        this.timeout = timeout;
    }

    /**
     * The pool of the call.
     *
     * @return the pool name
     */
    public String pool() {
        return pool;
    }

    /**
     * The timeout that passed.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }
}
