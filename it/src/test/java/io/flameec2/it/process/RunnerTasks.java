package io.flameec2.it.process;

import io.flameec2.FlameCallable;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Closures the process tests send. They are baked into the runner bundle's WAR, as an application's own
 * classes are.
 */
public final class RunnerTasks {

    private RunnerTasks() {
    }

    /** Answers the runner JVM's pid and HTTP port. */
    record WhoAmI() implements FlameCallable<String> {
        @Override
        public String call() {
            return ProcessHandle.current().pid() + ":" + System.getenv("FLAME_HTTP_PORT") + ":"
                    + System.getenv("FLAME_RUNNER_ID");
        }
    }

    /** Throws with a cause chain. */
    record Boom(String why) implements FlameCallable<Object> {
        @Override
        public Object call() {
            throw new IllegalStateException(why, new IllegalArgumentException("root cause"));
        }
    }

    /**
     * Marks that it started (a file), then works for a long time.
     *
     * @param marker the file written when the call starts
     * @param millis how long it works
     */
    public record Busy(String marker, long millis) implements FlameCallable<String> {
        @Override
        public String call() throws Exception {
            Files.writeString(Path.of(marker), "started");
            Thread.sleep(millis);
            return "done";
        }
    }

    /**
     * A deserialization gadget stand-in: merely reading it leaves a file behind. A runner must never read it
     * from an unauthenticated request.
     */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String canary;

        Gadget(String canary) {
            this.canary = canary;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            Files.writeString(Path.of(canary), "gadget constructed");
        }
    }
}
