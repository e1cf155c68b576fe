package io.flameec2.it.cdi2;

/** The method both remote beans inherit; which bean ran it and in which pool is the answer. */
public abstract class Worker {

    /**
     * Names the bean that ran it.
     *
     * @param what the caller's tag
     * @return the bean's letter and the tag
     */
    public String work(String what) {
        return (this instanceof WorkerA ? "A" : this instanceof WorkerB ? "B" : "?") + " did " + what;
    }
}
