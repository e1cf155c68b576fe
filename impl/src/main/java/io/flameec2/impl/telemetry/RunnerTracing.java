package io.flameec2.impl.telemetry;

import io.flameec2.spi.FlameInvocation;

/**
 * Traces a call's execution on a runner as the child of the parent's client span, without OpenTelemetry
 * types, so the runner core runs the same without it.
 */
public interface RunnerTracing {

    /** Traces nothing. */
    RunnerTracing NONE = (runnerId, callId, invocation, traceparent) -> RunSpan.NONE;

    /**
     * Starts the execution's span and makes it current on this thread, so spans the application's code makes
     * while it runs nest under it.
     *
     * @param runnerId this runner
     * @param callId the call
     * @param invocation what runs
     * @param traceparent the parent's W3C {@code traceparent}; {@code null} when the call is not traced
     * @return the span, to end on this same thread
     */
    RunSpan start(String runnerId, String callId, FlameInvocation invocation, String traceparent);

    /** One execution's span. */
    interface RunSpan {

        /** No span. */
        RunSpan NONE = (outcome, failure) -> { };

        /**
         * Ends the span and leaves its scope; on the thread that started it.
         *
         * @param outcome how the execution ended ({@code ok}, {@code remote}, {@code timeout}, {@code cancelled})
         * @param failure what the code threw, {@code null} when it returned
         */
        void end(String outcome, Throwable failure);
    }
}
