package io.flameec2;

/**
 * A call was refused before it started: the pool is shut down or shutting down, or the call cannot be sent
 * (for example an argument is not serializable or not allowed by the serialization filter).
 */
public class FlameRejectedException extends FlameException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates a rejection.
     *
     * @param message why the call was refused, naming the pool or class concerned
     * @param cause the underlying failure, or {@code null}
     */
    public FlameRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
