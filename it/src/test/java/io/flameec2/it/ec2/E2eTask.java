package io.flameec2.it.ec2;

import io.flameec2.FlameCallable;

/**
 * The closure the end-to-end test sends: it is baked into the runner bundle's WAR, as an application's own
 * classes are. Answers where it ran.
 *
 * @param factor multiplies 6
 */
public record E2eTask(int factor) implements FlameCallable<String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String call() {
        return (6 * factor) + " from " + System.getenv("FLAME_RUNNER_ID") + " on port "
                + System.getenv("FLAME_HTTP_PORT");
    }
}
