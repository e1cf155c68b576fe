package io.flameec2;

/**
 * The task threw on the runner. Carries the remote exception's class name, message and stack trace (as this
 * exception's stack trace); the remote cause chain becomes this exception's cause chain. The remote exception
 * itself is never deserialized on the caller, so its class need not exist there.
 */
public class FlameRemoteException extends FlameException {

    private static final long serialVersionUID = 1L;

    private final String remoteClass;
    private final String remoteMessage;
    private final String runnerId;

    /**
     * Creates a remote failure.
     *
     * @param remoteClass the fully qualified class name of the exception thrown on the runner
     * @param remoteMessage its message, or {@code null}
     * @param runnerId the runner it was thrown on
     * @param stackTrace its stack trace on the runner
     * @param cause the remote cause, itself a {@code FlameRemoteException}, or {@code null}
     */
    public FlameRemoteException(String remoteClass, String remoteMessage, String runnerId,
            StackTraceElement[] stackTrace, FlameRemoteException cause) {
        super(remoteClass + (remoteMessage == null ? "" : ": " + remoteMessage) + " (on runner " + runnerId + ")",
                cause);
        this.remoteClass = remoteClass;
        this.remoteMessage = remoteMessage;
        this.runnerId = runnerId;
        setStackTrace(stackTrace);
    }

    /**
     * The class name of the exception thrown on the runner.
     *
     * @return the fully qualified class name
     */
    public String remoteClass() {
        return remoteClass;
    }

    /**
     * The message of the exception thrown on the runner.
     *
     * @return the message, or {@code null}
     */
    public String remoteMessage() {
        return remoteMessage;
    }

    /**
     * The runner the exception was thrown on.
     *
     * @return the runner id
     */
    public String runnerId() {
        return runnerId;
    }
}
