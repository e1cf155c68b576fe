package io.flameec2.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One call sent to a runner.
 *
 * @param callId unique id of the call, for logs, cancellation and replay protection
 * @param invocation what to run
 * @param deadline when the runner must give up (interrupt the work); {@link Instant#MAX} for none
 */
public record FlameCall(String callId, FlameInvocation invocation, Instant deadline) {

    /**
     * Checks that no component is missing.
     *
     * @param callId the record component
     * @param invocation the record component
     * @param deadline the record component
     * @throws NullPointerException when a component is {@code null}
     */
    public FlameCall {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(invocation, "invocation");
        Objects.requireNonNull(deadline, "deadline");
    }
}
