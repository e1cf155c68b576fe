package io.flameec2.it.cdi2;

import io.flameec2.event.RunnerBooting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The pools that booted a runner, in order: where the calls landed. */
@ApplicationScoped
public class BootLog {

    static final List<String> POOLS = new CopyOnWriteArrayList<>();

    void observe(@Observes RunnerBooting event) {
        POOLS.add(event.pool());
    }
}
