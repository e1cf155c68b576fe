package io.flameec2;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A task that returns a result and can travel to a runner: a serializable {@link Callable}. A lambda
 * assigned to this type is serializable; whatever it captures must be serializable too.
 *
 * @param <T> the result type, serializable
 */
@FunctionalInterface
public interface FlameCallable<T> extends Callable<T>, Serializable {
}
