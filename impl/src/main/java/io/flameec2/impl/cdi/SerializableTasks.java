package io.flameec2.impl.cdi;

import io.flameec2.FlameCallable;
import java.io.Serializable;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * Turns the plain {@code Callable} and {@code Runnable} tasks of {@link java.util.concurrent.ExecutorService}
 * into {@link FlameCallable}s, or refuses them at once, before anything is sent: a task that is not
 * serializable would otherwise fail later, on the wire, with a message about serialization instead of about
 * how the task is declared.
 */
final class SerializableTasks {

    private SerializableTasks() {
    }

    static <T> FlameCallable<T> of(Callable<T> task, String pool) {
        if (task instanceof FlameCallable<T> flame) {
            return flame;
        }
        if (task instanceof Serializable) {
            return task::call; // captures the task itself: it travels as it is
        }
        throw notSerializable(task, pool, "Callable", "FlameCallable<T> task = () -> ...");
    }

    static <T> FlameCallable<T> of(Runnable task, T result, String pool) {
        if (!(task instanceof Serializable)) {
            throw notSerializable(task, pool, "Runnable", "FlameRunnable task = () -> ... with cast(task)");
        }
        if (result != null && !(result instanceof Serializable)) {
            throw new RejectedExecutionException("the result " + result.getClass().getName() + " given with a task"
                    + " for pool '" + pool + "' is not serializable, so it cannot come back from a runner");
        }
        return () -> {
            task.run();
            return result;
        };
    }

    static RejectedExecutionException notSerializable(Object task, String pool, String type, String declare) {
        return new RejectedExecutionException("the task " + task.getClass().getName() + " is not serializable, so it"
                + " cannot run on a runner of pool '" + pool + "': declare the lambda as " + declare + ", or cast it"
                + " to (" + type + " & Serializable); what it captures must be serializable too");
    }
}
