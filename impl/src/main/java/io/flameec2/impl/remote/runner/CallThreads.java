package io.flameec2.impl.remote.runner;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The runner's call threads, as many as there are calls, idle ones kept for a minute. A call goes straight
 * from the connection's event loop to an idle call thread when one waits: one hand-off, as a cached thread
 * pool makes. Only when none waits is a thread started, and that happens on a starter thread: starting a
 * thread (a managed one under Liberty above all) takes long enough that an event loop doing it for a burst of
 * calls leaves heartbeats unanswered.
 */
final class CallThreads {

    private static final long KEEP_IDLE_SECONDS = 60;

    private final ThreadFactory factory;
    private final SynchronousQueue<Runnable> idle = new SynchronousQueue<>();
    /** The threads waiting for a call, interrupted by {@link #shutdown}. */
    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
    private final ExecutorService starter;
    private volatile boolean shutdown;

    CallThreads(ThreadFactory factory) {
        this.factory = factory;
        this.starter = Executors.newSingleThreadExecutor(factory);
    }

    /**
     * Runs a call on a call thread.
     *
     * @param call the call
     * @param refused run instead when the call cannot start because the threads shut down
     */
    void execute(Runnable call, Runnable refused) {
        if (shutdown) {
            refused.run();
            return;
        }
        if (idle.offer(call)) {
            return;
        }
        try {
            starter.execute(() -> start(call, refused));
        } catch (RejectedExecutionException e) {
            refused.run();
        }
    }

    private void start(Runnable first, Runnable refused) {
        if (shutdown) {
            refused.run();
            return;
        }
        try {
            factory.newThread(() -> work(first)).start();
        } catch (RuntimeException | Error e) {
            refused.run();
            throw e;
        }
    }

    private void work(Runnable first) {
        Thread self = Thread.currentThread();
        Runnable next = first;
        while (next != null) {
            next.run();
            waiting.add(self);
            try {
                next = shutdown ? null : idle.poll(KEEP_IDLE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                next = null; // shut down while idle
            } finally {
                waiting.remove(self);
            }
        }
    }

    /** Takes no more calls; running ones go on (the runner interrupts them itself); idle threads end. */
    void shutdown() {
        shutdown = true;
        starter.shutdown();
        waiting.forEach(Thread::interrupt);
    }
}
