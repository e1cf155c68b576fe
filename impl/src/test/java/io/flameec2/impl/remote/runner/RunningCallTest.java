package io.flameec2.impl.remote.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Calls run on the container's request thread: an interrupt must never outlive the call it was meant for. */
class RunningCallTest {

    @AfterEach
    void clearFlag() {
        Thread.interrupted();
    }

    @Test
    void anInterruptReachesTheCallAndIsClearedWhenItEnds() {
        RunningCall call = new RunningCall();
        call.interrupt(RunningCall.Interruption.DEADLINE);
        call.interrupt(RunningCall.Interruption.CANCELLED);
        assertTrue(Thread.currentThread().isInterrupted());
        assertEquals(RunningCall.Interruption.DEADLINE, call.end(), "the first reason is the one reported");
        assertFalse(Thread.currentThread().isInterrupted(), "the pooled thread went back interrupted");
    }

    @Test
    void anInterruptAfterTheCallEndedDoesNotReachTheThreadsNextWork() {
        RunningCall call = new RunningCall();
        assertNull(call.end());
        call.interrupt(RunningCall.Interruption.DEADLINE);
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void anInterruptTheRunnerDidNotCauseIsLeftToTheContainer() {
        RunningCall call = new RunningCall();
        Thread.currentThread().interrupt(); // such as the container stopping its threads
        assertNull(call.end());
        assertTrue(Thread.currentThread().isInterrupted());
    }
}
