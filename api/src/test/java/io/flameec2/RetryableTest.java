package io.flameec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a retry policy reads from each failure, and where the pool and runner are named. */
class RetryableTest {

    @Test
    void runnerFailuresNameThePoolAndRunnerOnceAndAreRetryable() {
        FlameRunnerException lost = new FlameRunnerLostException("thumbs", "thumbs-1", "no heartbeat", null);
        assertEquals("thumbs", lost.pool());
        assertEquals("thumbs-1", lost.runnerId());
        assertEquals("runner thumbs-1 of pool 'thumbs' was lost: no heartbeat", lost.getMessage());
        assertTrue(lost.retryable());

        FlameRunnerException boot = new FlameBootException("thumbs", "thumbs-2", "no capacity", null);
        assertEquals("runner thumbs-2 of pool 'thumbs' failed to boot: no capacity", boot.getMessage());
        assertEquals("thumbs-2", boot.runnerId());
        assertTrue(boot.retryable());
        assertFalse(new FlameBootException("thumbs", "thumbs-3", "image ami-x does not exist", null, false)
                .retryable());
    }

    @Test
    void aDrainingRunnerCanBeToldFromABadArgument() {
        assertTrue(new FlameRejectedException("runner thumbs-1 of pool 'thumbs' is STOPPING", null, true)
                .retryable());
        assertFalse(new FlameRejectedException("argument 0 of type java.lang.Thread is not serializable", null)
                .retryable());
    }

    @Test
    void failuresOfTheCallItselfAreNotRetryable() {
        assertFalse(new FlameTimeoutException("p", Duration.ofSeconds(1), "no slot").retryable());
        assertFalse(new FlameRemoteException("java.lang.IllegalArgumentException", "bad", "p-1",
                new StackTraceElement[0], null).retryable());
        assertFalse(new FlameConfigurationException("flame.pools.p.max", "must be 1 or more").retryable());
        assertFalse(new FlameException("anything").retryable());
    }
}
