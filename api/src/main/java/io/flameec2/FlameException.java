package io.flameec2;

/**
 * The root of every failure FlameEC2 reports to a caller. Subtypes say why a call did not complete with a
 * result.
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
}
