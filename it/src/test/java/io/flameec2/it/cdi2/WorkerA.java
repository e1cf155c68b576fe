package io.flameec2.it.cdi2;

import io.flameec2.FlameRemote;
import jakarta.enterprise.context.ApplicationScoped;

/** Inherits {@link Worker#work}; runs it on pool "a". */
@ApplicationScoped
@FlameRemote(pool = "a")
public class WorkerA extends Worker {
}
