package io.flameec2.impl.pool;

import io.flameec2.FlameBootException;
import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRemoteException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.FlameTimeoutException;
import java.util.Locale;
import java.util.concurrent.CancellationException;

/** How a call ended, as metrics and spans name it ({@link #label()}: {@code ok}, {@code runner-lost}, ...). */
public enum CallOutcome {
    /** It returned a result. */
    OK,
    /** No slot came, or the runner did not answer, before its deadline. */
    TIMEOUT,
    /** Its runner died or stopped answering while it ran. */
    RUNNER_LOST,
    /** The runner booted for it failed to boot. */
    BOOT,
    /** The remote code threw. */
    REMOTE,
    /** The pool refused it (shutting down, or the call could not be sent). */
    REJECTED,
    /** The caller cancelled it. */
    CANCELLED,
    /** Any other failure. */
    ERROR;

    /**
     * The outcome of a call that ended with this.
     *
     * @param error the failure, {@code null} on success
     * @return the outcome
     */
    public static CallOutcome of(Throwable error) {
        if (error == null) {
            return OK;
        }
        if (error instanceof FlameTimeoutException) {
            return TIMEOUT;
        }
        if (error instanceof FlameRunnerLostException) {
            return RUNNER_LOST;
        }
        if (error instanceof FlameBootException) {
            return BOOT;
        }
        if (error instanceof FlameRemoteException) {
            return REMOTE;
        }
        if (error instanceof FlameRejectedException) {
            return REJECTED;
        }
        if (error instanceof CancellationException) {
            return CANCELLED;
        }
        return ERROR;
    }

    /**
     * The attribute value: lower case, words joined by a hyphen.
     *
     * @return such as {@code runner-lost}
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
