package io.flameec2.impl.backend.ec2;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/** Which instances orphan clean-up may terminate: only those whose lease has passed. */
class Ec2LeaseTest {

    private static final Instant NOW = Instant.parse("2026-12-02T18:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(3);

    private static Instance instance(Instant launched, String leaseUntil) {
        Instance.Builder b = Instance.builder().instanceId("i-1").launchTime(launched);
        if (leaseUntil != null) {
            b.tags(Tag.builder().key(Ec2Settings.TAG_LEASE_UNTIL).value(leaseUntil).build());
        }
        return b.build();
    }

    @Test
    void aRefreshedLeaseProtectsEvenALongRunningInstance() {
        assertFalse(Ec2Launcher.leaseExpired(instance(NOW.minus(Duration.ofDays(3)), "2026-12-02T18:00:01Z"), NOW,
                LEASE));
    }

    @Test
    void aPassedLeaseIsAnOrphan() {
        assertTrue(Ec2Launcher.leaseExpired(instance(NOW.minus(Duration.ofMinutes(1)), "2026-12-02T17:59:59Z"), NOW,
                LEASE), "the lease tag decides, not the launch time");
    }

    @Test
    void withoutLeaseTagTheLaunchTimePlusLeaseDecides() {
        assertFalse(Ec2Launcher.leaseExpired(instance(NOW.minus(Duration.ofMinutes(2)), null), NOW, LEASE));
        assertTrue(Ec2Launcher.leaseExpired(instance(NOW.minus(Duration.ofMinutes(4)), null), NOW, LEASE));
        assertTrue(Ec2Launcher.leaseExpired(instance(NOW.minus(Duration.ofMinutes(4)), "garbage"), NOW, LEASE));
        assertFalse(Ec2Launcher.leaseExpired(instance(NOW.minus(Duration.ofMinutes(2)), "garbage"), NOW, LEASE));
    }
}
