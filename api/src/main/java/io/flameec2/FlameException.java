package io.flameec2;

/**
 * The root of every failure FlameEC2 reports to a caller. Subtypes say why a call did not complete with a
 * result, and {@link #retryable()} whether sending the call again may succeed, as the AWS SDK's
 * {@code SdkException.retryable()} does: a retry policy can tell a lost or draining runner from a bad
 * argument without reading messages.
 */
public class FlameException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what went wrong, naming the pool, runner, key or class concerned
     */
    public FlameException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what went wrong, naming the pool, runner, key or class concerned
     * @param cause the underlying failure
     */
    public FlameException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether sending the same call again may succeed: the failure was the runner's or the capacity's, not
     * the call's. A retry may run work again that already ran in part.
     *
     * @return {@code false} here; subtypes that can be retried say so
     */
    public boolean retryable() {
        return false;
    }
}
