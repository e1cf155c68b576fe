package io.flameec2.it.cdi;

import io.flameec2.FlameRemote;
import jakarta.enterprise.context.ApplicationScoped;

/** Cannot run remotely: the deployment that contains it must fail, naming its methods. */
@ApplicationScoped
public class BadBean {

    @FlameRemote(pool = "fast")
    public final String sealed() {
        return "never";
    }

    @FlameRemote(pool = "fast")
    public Thread notSerializable() {
        return Thread.currentThread();
    }

    @FlameRemote(pool = "nowhere")
    public String unknownPool() {
        return "never";
    }
}
