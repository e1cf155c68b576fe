package io.flameec2.impl.backend.process;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The environment of a {@code process} runner: what Liberty and Java need from the parent's environment (an
 * allow-list), the pool's configured {@code env}, and what the backend sets. Nothing else of the parent's
 * environment: it may hold cloud credentials, tokens and the variables of the parent's own Liberty server.
 */
final class RunnerEnvironment {

    /** Variables passed on from the parent: the system and locale settings Liberty's scripts and the JVM read. */
    static final Set<String> ALLOWED = Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ",
            "TMPDIR", "TMP", "TEMP");
    /** Prefixes of variables passed on: the locale categories. */
    static final Set<String> ALLOWED_PREFIXES = Set.of("LC_");

    private RunnerEnvironment() {
    }

    /**
     * Whether a variable of the parent's environment is passed on to runners.
     *
     * @param name the variable's name
     * @return {@code true} for the allow-list
     */
    static boolean allowed(String name) {
        return ALLOWED.contains(name) || ALLOWED_PREFIXES.stream().anyMatch(name::startsWith);
    }

    /**
     * Builds a runner's environment; later sources win.
     *
     * @param parent the parent's environment
     * @param poolEnv the pool's configured {@code env}
     * @param backend what the backend sets for this runner ({@code FLAME_*}, {@code JAVA_HOME},
     *     {@code WLP_OUTPUT_DIR}...)
     * @return the environment
     */
    static Map<String, String> of(Map<String, String> parent, Map<String, String> poolEnv,
            Map<String, String> backend) {
        Map<String, String> env = new TreeMap<>();
        parent.forEach((k, v) -> {
            if (allowed(k)) {
                env.put(k, v);
            }
        });
        env.putAll(poolEnv);
        env.putAll(backend);
        return env;
    }
}
