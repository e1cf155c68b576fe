package io.flameec2.event;

/** An event of a pool's life; every event names its pool. */
public sealed interface FlamePoolEvent permits RunnerBooting, RunnerReady, RunnerRetiring, RunnerStopped, PoolGrew,
        PoolShrank {

    /**
     * The pool the event concerns.
     *
     * @return the pool name
     */
    String pool();
}
