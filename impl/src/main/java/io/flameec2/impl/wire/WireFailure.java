package io.flameec2.impl.wire;

import io.flameec2.FlameRemoteException;
import java.io.Serializable;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * An exception thrown on a runner, as plain data: class name, message, stack trace and cause chain. The
 * parent turns it into a {@link FlameRemoteException}; the remote {@code Throwable} itself is never
 * deserialized, so its class need not exist (or be allowed) on the parent.
 *
 * @param className the exception's class name
 * @param message its message, or {@code null}
 * @param stackTrace its stack trace
 * @param cause its cause, or {@code null}
 */
public record WireFailure(String className, String message, StackTraceElement[] stackTrace, WireFailure cause)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Causes deeper than this are cut (a cycle or a pathological chain). Small enough that the deepest
     * failure fits in a reply's depth limit ({@link WireFilter#DEFAULT_REPLIES_MAX_DEPTH}): each cause nests
     * one level, its stack trace two more.
     */
    static final int MAX_CAUSES = 16;

    /**
     * The data of a throwable and its causes.
     *
     * @param thrown the exception
     * @return its data
     */
    public static WireFailure of(Throwable thrown) {
        return of(thrown, new IdentityHashMap<>(), 0);
    }

    private static WireFailure of(Throwable thrown, Map<Throwable, Boolean> seen, int depth) {
        if (thrown == null || depth >= MAX_CAUSES || seen.put(thrown, Boolean.TRUE) != null) {
            return null;
        }
        if (thrown instanceof FlameRemoteException remote) {
            // already remote data (a nested flame call failed): keep the original class, not the wrapper's
            return new WireFailure(remote.remoteClass(), remote.remoteMessage(), remote.getStackTrace(),
                    of(remote.getCause(), seen, depth + 1));
        }
        return new WireFailure(thrown.getClass().getName(), thrown.getMessage(), thrown.getStackTrace(),
                of(thrown.getCause(), seen, depth + 1));
    }

    /**
     * The exception the caller sees.
     *
     * @param runnerId the runner it was thrown on
     * @return the remote exception, with the cause chain as remote exceptions
     */
    public FlameRemoteException toException(String runnerId) {
        return new FlameRemoteException(className, message, runnerId,
                stackTrace == null ? new StackTraceElement[0] : stackTrace,
                cause == null ? null : cause.toException(runnerId));
    }
}
