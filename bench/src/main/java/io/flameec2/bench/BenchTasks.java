package io.flameec2.bench;

import io.flameec2.FlameCallable;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * The work of {@link TransportBench}: nothing, a byte array sent there and back, or a sleep. The FlameEC2 closures are
 * serializable lambdas (the runner WAR holds this class); the Hazelcast tasks are plain serializable callables
 * (the member's class path holds this class).
 */
public final class BenchTasks {

    private BenchTasks() {
    }

    /**
     * A closure that does nothing.
     *
     * @return the closure
     */
    public static FlameCallable<Object> noop() {
        return () -> null;
    }

    /**
     * A closure returning the array it captured.
     *
     * @param payload the argument
     * @return the closure
     */
    public static FlameCallable<byte[]> echo(byte[] payload) {
        return () -> payload;
    }

    /**
     * A closure that sleeps, for calls that stay in flight: it returns when it started (epoch milliseconds on
     * the runner, the same machine's clock as the parent's).
     *
     * @param millis how long it sleeps
     * @return the closure
     */
    public static FlameCallable<Long> sleep(long millis) {
        return () -> {
            long started = System.currentTimeMillis();
            Thread.sleep(millis);
            return started;
        };
    }

    /** Hazelcast: a task that does nothing. */
    public static final class HzNoop implements Callable<Object>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object call() {
            return null;
        }
    }

    /** Hazelcast: a task returning its argument. */
    public static final class HzEcho implements Callable<byte[]>, Serializable {
        private static final long serialVersionUID = 1L;
        private final byte[] payload;

        /**
         * @param payload the argument
         */
        public HzEcho(byte[] payload) {
            this.payload = payload;
        }

        @Override
        public byte[] call() {
            return payload;
        }
    }
}
