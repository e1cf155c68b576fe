package io.flameec2;

import java.util.Optional;

/**
 * A runner could not be booted (the backend failed, or the runner did not join within
 * {@code boot-timeout}); the calls that waited for it fail with this exception.
 */
public class FlameBootException extends FlameRunnerException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final String errorCode;

    /**
     * Creates a boot failure that a retry may overcome (no capacity, a slow boot).
     *
     * @param pool the pool
     * @param runnerId the runner that failed to boot
     * @param message what went wrong and where to look
     * @param cause the underlying failure, or {@code null}
     */
    public FlameBootException(String pool, String runnerId, String message, Throwable cause) {
        this(pool, runnerId, message, cause, true);
    }

    /**
     * Creates a boot failure, saying whether a retry may overcome it.
     *
     * @param pool the pool
     * @param runnerId the runner that failed to boot
     * @param message what went wrong and where to look
     * @param cause the underlying failure, or {@code null}
     * @param retryable {@code false} when every boot will fail the same way (an image that does not exist,
     *     a role the parent may not pass)
     */
    public FlameBootException(String pool, String runnerId, String message, Throwable cause, boolean retryable) {
        this(pool, runnerId, message, cause, retryable, null);
    }

    /**
     * Creates a boot failure with the error code the backend's API answered.
     *
     * @param pool the pool
     * @param runnerId the runner that failed to boot
     * @param message what went wrong and where to look
     * @param cause the underlying failure, or {@code null}
     * @param retryable {@code false} when every boot will fail the same way
     * @param errorCode the API's error code (for {@code ec2}, EC2's: {@code InvalidAMIID.NotFound},
     *     {@code UnauthorizedOperation}...), or {@code null}
     */
    public FlameBootException(String pool, String runnerId, String message, Throwable cause, boolean retryable,
            String errorCode) {
        super(pool, runnerId, "runner " + runnerId + " of pool '" + pool + "' failed to boot: " + message, cause);
        this.retryable = retryable;
        this.errorCode = errorCode;
    }

    /**
     * The error code the backend's API answered, such as EC2's {@code InvalidAMIID.NotFound}.
     *
     * @return the code, or empty when the boot failed otherwise (no join in time, a process that exited)
     */
    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    @Override
    public boolean retryable() {
        return retryable;
    }
}
