package io.flameec2;

/**
 * A call was refused before it started: the pool is shut down or shutting down, the runner it was sent to is
 * draining ({@linkplain #retryable() retryable}: another runner may take it), or the call cannot be sent (for
 * example an argument is not serializable or not allowed by the serialization filter, or a runner does not
 * invoke the method named).
 */
public class FlameRejectedException extends FlameException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    /**
     * Creates a rejection that sending the call again will not overcome.
     *
     * @param message why the call was refused, naming the pool or class concerned
     * @param cause the underlying failure, or {@code null}
     */
    public FlameRejectedException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * Creates a rejection, saying whether the same call may be taken when sent again.
     *
     * @param message why the call was refused, naming the pool, runner or class concerned
     * @param cause the underlying failure, or {@code null}
     * @param retryable {@code true} when the refusal was the runner's state (draining, stopping), not the
     *     call's
     */
    public FlameRejectedException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    @Override
    public boolean retryable() {
        return retryable;
    }
}
