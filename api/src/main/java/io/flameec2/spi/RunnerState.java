package io.flameec2.spi;

/** The state of a runner, as its backend knows it. */
public enum RunnerState {
    /** Booting: not yet joined its parent. */
    BOOTING,
    /** Joined and taking calls. */
    READY,
    /** Finishing its in-flight calls; takes no new ones. */
    DRAINING,
    /** Stopped on request. */
    STOPPED,
    /** Died or stopped answering. */
    LOST
}
