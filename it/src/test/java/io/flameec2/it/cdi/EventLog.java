package io.flameec2.it.cdi;

import io.flameec2.event.FlamePoolEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the pool events the application observes. */
@ApplicationScoped
public class EventLog {

    static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    void observe(@Observes FlamePoolEvent event) {
        EVENTS.add(event.toString());
    }
}
