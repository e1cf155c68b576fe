package io.flameec2.impl.wire;

import java.io.Serializable;

/** The body of a call's reply (HTTP 200): how the call ended on the runner. */
public sealed interface WireReply extends Serializable {

    /**
     * The task returned.
     *
     * @param value the result, possibly {@code null}
     */
    record Value(Object value) implements WireReply {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The task threw.
     *
     * @param failure the exception as data
     */
    record Failed(WireFailure failure) implements WireReply {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The deadline passed; the work was interrupted.
     *
     * @param message what the runner says
     */
    record TimedOut(String message) implements WireReply {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The parent cancelled the call; the work was interrupted.
     *
     * @param message what the runner says
     */
    record Cancelled(String message) implements WireReply {
        private static final long serialVersionUID = 1L;
    }
}
