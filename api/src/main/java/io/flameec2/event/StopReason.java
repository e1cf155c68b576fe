package io.flameec2.event;

/** Why a runner stopped. */
public enum StopReason {
    /** It was idle longer than {@code idle-shutdown-after} (or {@code min-idle-shutdown-after}). */
    IDLE,
    /** It served its one call in a {@code single-use} pool. */
    SINGLE_USE,
    /** It failed to boot or did not join within {@code boot-timeout}. */
    BOOT_FAILED,
    /** It died or stopped answering. */
    LOST,
    /** Its pool was shut down. */
    POOL_SHUTDOWN,
    /**
     * Its capacity was taken back with notice (an EC2 spot interruption): it drained and stopped, or was gone at the
     * end of the notice, its calls still running then failed as runner-lost.
     */
    INTERRUPTED,
    /** It lost its parent and shut itself down (seen on the runner side). */
    PARENT_LOST
}
