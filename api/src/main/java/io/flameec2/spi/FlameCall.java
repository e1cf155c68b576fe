package io.flameec2.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One call sent to a runner.
 *
 * @param callId unique id of the call, for logs, cancellation and replay protection
 * @param invocation what to run
 * @param until when the runner must give up (interrupt the work), on the monotonic clock;
 *     {@link Deadline#none()} for none
 * @param traceparent the W3C {@code traceparent} of the caller's span, so the runner's work joins the
 *     caller's trace; {@code null} when the call is not traced
 */
public record FlameCall(String callId, FlameInvocation invocation, Deadline until, String traceparent) {

    /**
     * Checks that no required component is missing.
     *
     * @param callId the record component
     * @param invocation the record component
     * @param until the record component
     * @param traceparent the record component
     * @throws NullPointerException when a component other than {@code traceparent} is {@code null}
     */
    public FlameCall {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(invocation, "invocation");
        Objects.requireNonNull(until, "until");
    }

    /**
     * An untraced call.
     *
     * @param callId the call's id
     * @param invocation what to run
     * @param until when the runner must give up; {@link Deadline#none()} for none
     */
    public FlameCall(String callId, FlameInvocation invocation, Deadline until) {
        this(callId, invocation, until, null);
    }

    /**
     * A call with a wall-clock deadline, for callers not yet moved to {@link Deadline}: the deadline is
     * turned into time left once, here, and monotonic from then on.
     *
     * @param callId the call's id
     * @param invocation what to run
     * @param deadline when the runner must give up; {@link Instant#MAX} for none
     * @deprecated use {@link #FlameCall(String, FlameInvocation, Deadline)}: a wall-clock deadline moves with
     *     every NTP step
     */
    @Deprecated
    public FlameCall(String callId, FlameInvocation invocation, Instant deadline) {
        this(callId, invocation, Instant.MAX.equals(deadline) ? Deadline.none()
                : Deadline.after(Duration.between(Instant.now(), deadline)), null);
    }

    /**
     * The time the work may still take, read now from the monotonic clock.
     *
     * @return the time left, zero once the deadline passed; empty when the call has no deadline
     */
    public Optional<Duration> timeLeft() {
        return until.timeLeft();
    }
}
