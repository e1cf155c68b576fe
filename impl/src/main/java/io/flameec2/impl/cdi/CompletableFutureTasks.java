package io.flameec2.impl.cdi;

import io.flameec2.FlameCallable;
import io.flameec2.impl.wire.WireLambda;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Looks inside the task {@code CompletableFuture.supplyAsync(supplier, executor)} or
 * {@code runAsync(runnable, executor)} hands its executor: a JDK-internal {@code Runnable} holding the
 * caller's future and the supplier (or runnable). That task cannot travel (the future is not serializable),
 * but what the caller wrote can: the supplier runs on a runner and its result completes the caller's future.
 *
 * <p>The two are read with Java serialization's own access to a serializable object's fields (the JDK's task
 * is a {@code ForkJoinTask}, which is serializable): the task is written to nowhere, and the objects it holds
 * are caught as they pass {@link ObjectOutputStream#replaceObject}. No reflection into {@code java.base}, no
 * field names; when a JDK lays its tasks out differently, nothing is found and the task is refused as not
 * serializable.
 */
final class CompletableFutureTasks {

    private static final String ASYNC_SUPPLY = "java.util.concurrent.CompletableFuture$AsyncSupply";
    private static final String ASYNC_RUN = "java.util.concurrent.CompletableFuture$AsyncRun";

    /**
     * The caller's future and its work.
     *
     * @param future completes with the work's result
     * @param work a {@link Supplier} (supplyAsync) or a {@link Runnable} (runAsync)
     */
    record AsyncTask(CompletableFuture<Object> future, Object work) {
        boolean workSerializable() {
            return work instanceof Serializable;
        }

        /** What runs on the runner: the work alone (the future stays with the caller). */
        FlameCallable<Object> remote() {
            Object travelling = work;
            return () -> run(travelling);
        }

        private static Object run(Object work) {
            if (work instanceof Supplier<?> supplier) {
                return supplier.get();
            }
            ((Runnable) work).run();
            return null;
        }
    }

    private CompletableFutureTasks() {
    }

    static Optional<AsyncTask> unwrap(Runnable task) {
        String type = task.getClass().getName();
        if (!(task instanceof CompletableFuture.AsynchronousCompletionTask) || !(task instanceof Serializable)
                || !(type.equals(ASYNC_SUPPLY) || type.equals(ASYNC_RUN))) {
            return Optional.empty();
        }
        try (Catcher catcher = new Catcher(task)) {
            catcher.writeObject(task);
            return catcher.found();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Writes a task to nowhere, keeping the future and the work it holds instead of writing them. */
    private static final class Catcher extends ObjectOutputStream {
        private final Object task;
        private CompletableFuture<Object> future;
        private Object work;

        Catcher(Object task) throws IOException {
            super(OutputStream.nullOutputStream());
            this.task = task;
            enableReplaceObject(true);
        }

        @Override
        @SuppressWarnings("unchecked")
        protected Object replaceObject(Object obj) {
            if (obj == task) {
                return obj;
            }
            if (obj instanceof CompletableFuture<?> f && future == null) {
                future = (CompletableFuture<Object>) f;
                return null;
            }
            if (obj instanceof SerializedLambda lambda && work == null) {
                // a serializable lambda passes here as what its writeReplace returned: rebuild the lambda
                try {
                    work = WireLambda.rebuild(lambda, loader());
                } catch (InvalidObjectException e) {
                    return null; // not found: the task is refused as not serializable
                }
                return null;
            }
            if ((obj instanceof Supplier<?> || obj instanceof Runnable) && work == null) {
                work = obj;
                return null;
            }
            return null; // nothing else of the task is needed, nor written
        }

        private static ClassLoader loader() {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            return context != null ? context : CompletableFutureTasks.class.getClassLoader();
        }

        Optional<AsyncTask> found() {
            return future == null || work == null ? Optional.empty() : Optional.of(new AsyncTask(future, work));
        }
    }
}
