package io.flameec2.it.reliability;

import io.flameec2.FlameCallable;

/**
 * A long call that keeps its runner busy: announces on the runner's System.out (the instance's journal) that it
 * started, then sleeps. Baked into the runner bundle, as an application's own classes are. The sleep is
 * interruptible on purpose: a runner that gives up on it at its drain deadline must be able to stop it.
 *
 * @param millis how long it sleeps; far longer than the test, so only an interrupt ends it
 */
public record BusyTask(long millis) implements FlameCallable<String> {

    /** What the task prints on the runner when it starts, followed by the runner id. */
    public static final String STARTED = "fec2-busy-task started on runner ";

    private static final long serialVersionUID = 1L;

    @Override
    public String call() throws InterruptedException {
        String runner = System.getenv("FLAME_RUNNER_ID");
        System.out.println(STARTED + runner);
        System.out.flush();
        Thread.sleep(millis);
        return "slept on " + runner;
    }
}
