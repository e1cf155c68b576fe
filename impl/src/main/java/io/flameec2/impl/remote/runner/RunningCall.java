package io.flameec2.impl.remote.runner;

/**
 * A call executing on the thread that handles its request, and the one way to interrupt it.
 *
 * <p>Why that thread: handing the work to yet another thread and waiting for it costs two more thread
 * wake-ups per call, a large share of a warm call's latency on a small instance. The price is that
 * interrupting (deadline, cancel, drain timeout) aims at a pooled thread that serves other calls later, so
 * an interrupt may only land while this call runs: {@link #interrupt} and {@link #end} share a lock, and
 * after {@code end} the runner clears any interrupt it caused before the thread goes back to its pool.
 */
final class RunningCall {

    /** Why a call was interrupted. */
    enum Interruption {
        /** Its deadline passed on the runner. */
        DEADLINE,
        /** The parent cancelled it. */
        CANCELLED,
        /** The runner stopped before it ended. */
        STOPPING
    }

    private final Thread thread = Thread.currentThread();
    private Interruption interruption;
    private boolean ended;

    /**
     * Interrupts the call's thread unless the call already ended; the first reason given is kept.
     *
     * @param why the reason
     */
    synchronized void interrupt(Interruption why) {
        if (ended) {
            return;
        }
        if (interruption == null) {
            interruption = why;
        }
        thread.interrupt();
    }

    /**
     * Marks the call ended (no interrupt reaches the thread after this) and clears an interrupt it may have
     * caused; call it on the call's own thread.
     *
     * @return why the call was interrupted, or {@code null} if it was not
     */
    Interruption end() {
        Interruption why;
        synchronized (this) {
            ended = true;
            why = interruption;
        }
        if (why != null) {
            Thread.interrupted();
        }
        return why;
    }
}
