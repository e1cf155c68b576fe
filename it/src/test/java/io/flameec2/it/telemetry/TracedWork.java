package io.flameec2.it.telemetry;

import io.flameec2.FlameRemote;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** ObservabilityIT's remote bean: runs on process runners of pool "traced" (and never on pool "broken"). */
@ApplicationScoped
public class TracedWork {

    @Inject
    Tracer tracer;

    /**
     * Makes an application span on the runner, which must nest under FlameEC2's runner span.
     *
     * @return this runner's pid and the trace id the application's span sees
     */
    @FlameRemote(pool = "traced")
    public String work() {
        Span app = tracer.spanBuilder("app-work").startSpan();
        try (Scope s = app.makeCurrent()) {
            return "pid=" + ProcessHandle.current().pid() + " trace=" + app.getSpanContext().getTraceId();
        } finally {
            app.end();
        }
    }

    /**
     * Outlives its 1 s timeout.
     *
     * @return never
     * @throws InterruptedException when the runner interrupts it at its deadline
     */
    @FlameRemote(pool = "traced", timeout = "1s")
    public String sleepy() throws InterruptedException {
        Thread.sleep(60_000);
        return "late";
    }

    /**
     * Runs until its runner is killed.
     *
     * @return never
     * @throws InterruptedException when interrupted
     */
    @FlameRemote(pool = "traced", timeout = "3m")
    public String hang() throws InterruptedException {
        Thread.sleep(180_000);
        return "late";
    }

    /**
     * Runs on pool "broken", whose bundle cannot boot until the test repairs it.
     *
     * @return a greeting
     */
    @FlameRemote(pool = "broken", timeout = "3m")
    public String fixed() {
        return "booted";
    }
}
