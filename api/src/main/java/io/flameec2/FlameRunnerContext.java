package io.flameec2;

import java.util.Optional;

/**
 * Tells the application whether it runs as a runner, and for whom (FLAME's {@code FLAME.Parent.get()}).
 * Inject it to skip parent-only services on runners, such as schedulers, message consumers or large
 * connection pools: {@code if (!context.isRunner()) { startScheduler(); }}.
 */
public interface FlameRunnerContext {

    /**
     * Whether this JVM is a runner booted by a parent.
     *
     * @return {@code true} on a runner, {@code false} on the parent
     */
    default boolean isRunner() {
        return parent().isPresent();
    }

    /**
     * The parent that booted this runner.
     *
     * @return the parent, or empty when this JVM is not a runner
     */
    Optional<FlameParent> parent();
}
