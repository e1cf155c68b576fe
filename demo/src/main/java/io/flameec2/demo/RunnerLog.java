package io.flameec2.demo;

import io.flameec2.event.FlamePoolEvent;
import io.flameec2.event.RunnerBooting;
import io.flameec2.event.RunnerReady;
import io.flameec2.event.RunnerRetiring;
import io.flameec2.event.RunnerStopped;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Prints the pool's life on the server console, so a person can follow runners come and go. */
@ApplicationScoped
public class RunnerLog {

    void log(@Observes FlamePoolEvent event) {
        String line = event.toString();
        if (event instanceof RunnerBooting b) {
            line = "booting runner " + b.runnerId();
        } else if (event instanceof RunnerReady r) {
            line = "runner " + r.runnerId() + " ready after " + r.bootTime().toMillis() + " ms"
                    + (r.phases().phases().isEmpty() ? "" : " (" + r.phases().describe() + ")");
        } else if (event instanceof RunnerRetiring t) {
            line = "runner " + t.runnerId() + " retiring (" + t.reason() + "), " + t.callsInFlight() + " calls finishing";
        } else if (event instanceof RunnerStopped s) {
            line = "runner " + s.runnerId() + " stopped (" + s.reason() + "): " + s.detail();
        }
        System.out.println("[flame demo] pool '" + event.pool() + "': " + line);
    }
}
