package io.flameec2.impl.cdi;

import java.util.concurrent.Callable;

/**
 * Marks the thread that executes an invocation which already arrived from a pool, so the interceptor runs the
 * method here instead of dispatching it again.
 */
final class RemoteDispatch {

    private static final ThreadLocal<Boolean> ARRIVED = new ThreadLocal<>();

    private RemoteDispatch() {
    }

    static boolean arrived() {
        return Boolean.TRUE.equals(ARRIVED.get());
    }

    static <T> T runArrived(Callable<T> work) throws Exception {
        Boolean before = ARRIVED.get();
        ARRIVED.set(Boolean.TRUE);
        try {
            return work.call();
        } finally {
            if (before == null) {
                ARRIVED.remove();
            } else {
                ARRIVED.set(before);
            }
        }
    }
}
