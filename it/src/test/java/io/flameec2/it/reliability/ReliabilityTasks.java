package io.flameec2.it.reliability;

import io.flameec2.FlameCallable;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the reliability suite sends to runners. Baked into the runner bundle's WAR, as an application's own
 * classes are.
 */
final class ReliabilityTasks {

    private ReliabilityTasks() {
    }

    /** Answers its own id: a reply that belongs to another call would show. */
    record Echo(int id) implements FlameCallable<Integer> {
        @Override
        public Integer call() {
            return id;
        }
    }

    /** Holds a slot of a runner for a while, so that a pool grows. */
    record Nap(long millis) implements FlameCallable<Long> {
        @Override
        public Long call() throws InterruptedException {
            Thread.sleep(millis);
            return millis;
        }
    }

    /** Answers the runner JVM's pid and HTTP port. */
    record WhereAmI() implements FlameCallable<String> {
        @Override
        public String call() {
            return ProcessHandle.current().pid() + ":" + System.getenv("FLAME_HTTP_PORT");
        }
    }

    /**
     * The target of a hostile request: running it leaves the marker file. It carries the hostile part as
     * {@code payload}, so the runner must refuse the whole call while reading it.
     */
    record Target(String marker, Serializable payload) implements FlameCallable<String> {
        @Override
        public String call() throws IOException {
            Files.writeString(Path.of(marker), "target code ran");
            return "ran";
        }
    }
}
