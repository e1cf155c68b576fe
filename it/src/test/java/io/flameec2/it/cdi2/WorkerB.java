package io.flameec2.it.cdi2;

import io.flameec2.FlameRemote;
import jakarta.enterprise.context.ApplicationScoped;

/** Inherits {@link Worker#work}; runs it on pool "b". */
@ApplicationScoped
@FlameRemote(pool = "b")
public class WorkerB extends Worker {
}
