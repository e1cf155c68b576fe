package io.flameec2.it.warm;

import io.flameec2.FlameRemote;
import io.flameec2.FlameRunnerContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/** Says which build of the application runs it, and where. */
@ApplicationScoped
public class BuildWork {

    @Inject
    Instance<Greeting> greetings;

    @Inject
    FlameRunnerContext context;

    /**
     * Runs on a runner of pool "p".
     *
     * @return such as {@code second build on a runner, pid 1234}
     */
    @FlameRemote(pool = "p")
    public String whichBuild() {
        String build = greetings.isResolvable() ? greetings.get().build() : "first build";
        return build + (context.isRunner() ? " on a runner" : " on the parent") + ", pid "
                + ProcessHandle.current().pid();
    }
}
