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
 * @param traceparent the W3C {@code traceparent} of the parent's client span, {@code null} when untraced: a
 *     plain string, so a runner without OpenTelemetry reads the message just the same
 */
public record WireCall(String callId, long timeLeftMillis, FlameInvocation invocation, String traceparent)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Checks the components.
     *
     * @param callId the record component
     * @param timeLeftMillis the record component
     * @param invocation the record component
     * @param traceparent the record component
     */
    public WireCall {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(invocation, "invocation");
    }

    /**
     * An untraced call.
     *
     * @param callId the call's id
     * @param timeLeftMillis how long the runner lets the work run
     * @param invocation what to run
     */
    public WireCall(String callId, long timeLeftMillis, FlameInvocation invocation) {
        this(callId, timeLeftMillis, invocation, null);
    }

    /**
     * The wire form of a call.
     *
     * @param call the call
     * @return the body
     */
    public static WireCall of(FlameCall call) {
        long left = call.timeLeft().map(Duration::toMillis).orElse(Long.MAX_VALUE);
        return new WireCall(call.callId(), left, call.invocation(), call.traceparent());
    }
}
