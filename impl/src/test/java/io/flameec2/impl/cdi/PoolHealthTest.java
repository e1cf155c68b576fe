package io.flameec2.impl.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.status.PoolStatus;
import io.flameec2.status.RunnerStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The readiness verdict on a pool, as /health/ready reports it. */
class PoolHealthTest {

    private static PoolStatus status(int bootFailures, String lastFailure) {
        return status(bootFailures, lastFailure, null);
    }

    private static PoolStatus status(int bootFailures, String lastFailure, String backendProblem) {
        return new PoolStatus("thumbs", "ec2", 4, List.of(new RunnerStatus("thumbs-1", RunnerStatus.State.READY, 2,
                Duration.ofMinutes(3), Optional.of(Duration.ofSeconds(40)))), 2, 5, bootFailures,
                Optional.ofNullable(lastFailure), Optional.ofNullable(backendProblem), Map.of());
    }

    @Test
    void aPoolWhoseBootsSucceedIsUpAndReportsItsLoad() {
        PoolHealth h = PoolHealth.of("thumbs", Optional.of(status(0, null)));
        assertTrue(h.up());
        assertEquals(1L, h.data().get("runners.ready"));
        assertEquals(5, h.data().get("callers.waiting"));
    }

    @Test
    void oneFailedBootIsNotEnoughToTakeThePoolOutOfService() {
        assertTrue(PoolHealth.of("thumbs", Optional.of(status(1, "InsufficientInstanceCapacity"))).up());
    }

    @Test
    void repeatedBootFailuresTurnItDownNamingThePoolTheBackendAndTheLastFailure() {
        PoolHealth h = PoolHealth.of("thumbs", Optional.of(status(2, "UnauthorizedOperation: not allowed")));
        assertFalse(h.up());
        String reason = h.reason().orElseThrow();
        assertTrue(reason.contains("pool 'thumbs'") && reason.contains("ec2 backend")
                && reason.contains("UnauthorizedOperation"), reason);
        assertEquals(reason, h.data().get("reason"));
    }

    @Test
    void aBackendProblemTurnsItDownBeforeAnyBootFails() {
        PoolHealth h = PoolHealth.of("thumbs", Optional.of(status(0, null,
                "the last EC2 API call (DescribeInstances, 3 s ago) failed: AuthFailure: bad key")));
        assertFalse(h.up());
        String reason = h.reason().orElseThrow();
        assertTrue(reason.startsWith("pool 'thumbs': ec2 backend: the last EC2 API call") && reason.contains("AuthFailure"),
                reason);
    }

    @Test
    void aPoolThatNeverStartedIsNotReady() {
        PoolHealth h = PoolHealth.of("thumbs", Optional.empty());
        assertFalse(h.up());
        assertTrue(h.reason().orElseThrow().contains("'thumbs' is not started"));
    }
}
