package io.flameec2.impl.wire;

import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * The body of a call request: the call id, the time left until the deadline (milliseconds when sent,
 * {@link Long#MAX_VALUE} for none; relative, so the parent's and runner's clocks need not agree) and what
 * to run.
 *
 * @param callId the call's id
 * @param timeLeftMillis how long the runner lets the work run before interrupting it
 * @param invocation what to run
 */
public record WireCall(String callId, long timeLeftMillis, FlameInvocation invocation) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Checks the components.
     *
     * @param callId the record component
     * @param timeLeftMillis the record component
     * @param invocation the record component
     */
    public WireCall {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(invocation, "invocation");
    }

    /**
     * The wire form of a call.
     *
     * @param call the call
     * @return the body
     */
    public static WireCall of(FlameCall call) {
        long left = call.timeLeft().map(Duration::toMillis).orElse(Long.MAX_VALUE);
        return new WireCall(call.callId(), left, call.invocation());
    }
}
