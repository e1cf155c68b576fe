package io.flameec2.impl.cdi;

import io.flameec2.FlameParent;
import io.flameec2.FlameRunnerContext;
import io.flameec2.impl.remote.common.RunnerEnv;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/** {@link FlameRunnerContext} from the environment the launcher gave this JVM ({@link RunnerEnv}). */
final class RunnerContextBean implements FlameRunnerContext {

    private final Optional<FlameParent> parent;

    RunnerContextBean(Map<String, String> env) {
        this.parent = "true".equalsIgnoreCase(env.get(RunnerEnv.RUNNER)) && env.get(RunnerEnv.PARENT_ADDRESS) != null
                ? Optional.of(new FlameParent(env.getOrDefault(RunnerEnv.PARENT_ID, ""),
                        URI.create("tls://" + env.get(RunnerEnv.PARENT_ADDRESS)), env.getOrDefault(RunnerEnv.POOL, ""),
                        env.getOrDefault(RunnerEnv.RUNNER_ID, "")))
                : Optional.empty();
    }

    @Override
    public Optional<FlameParent> parent() {
        return parent;
    }
}
