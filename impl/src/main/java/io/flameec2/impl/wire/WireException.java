package io.flameec2.impl.wire;

/**
 * A message could not be encoded, read or decoded. {@link #status()} is the HTTP status a runner answers
 * with: 400 (rejected class, malformed), 413 (too large).
 */
public class WireException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * Creates a failure.
     *
     * @param status the HTTP status that fits
     * @param message what was wrong, naming the class or limit
     * @param cause the underlying failure, or {@code null}
     */
    public WireException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /**
     * The HTTP status that fits.
     *
     * @return 400 or 413
     */
    public int status() {
        return status;
    }
}
