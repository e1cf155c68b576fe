package io.flameec2.impl.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flameec2.event.BootPhases;
import io.flameec2.impl.channel.BootMark;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BootTimelineTest {

    private static final long MS = 1_000_000L;

    @Test
    void aProcessRunnersPhasesAddUpToWhatTheParentMeasured() {
        // parent: boot at 1000 ms, spawned at 1040 ms, join arrived at 9040 ms (its own clock)
        BootPhases phases = BootTimeline.phases(1000 * MS, 1040 * MS, 9040 * MS, List.of(
                new BootMark("jvm", 0), new BootMark("liberty", 4000), new BootMark("app", 6500),
                new BootMark("join", 7600)));
        assertEquals(List.of("launch", "jvm", "liberty", "app", "join"), names(phases));
        assertEquals(Duration.ofMillis(40), phases.get("launch"));
        assertEquals(Duration.ofMillis(400), phases.get("jvm")); // 8000 ms after the spawn, 7600 of them the runner's
        assertEquals(Duration.ofMillis(4000), phases.get("liberty"));
        assertEquals(Duration.ofMillis(2500), phases.get("app"));
        assertEquals(Duration.ofMillis(1100), phases.get("join"));
        assertEquals(Duration.ofMillis(8040), phases.total());
    }

    @Test
    void marksBeforeTheJvmComeFirstAndTheLeftoverIsTheFirstOfThem() {
        // EC2: the user-data's marks are negative offsets from the JVM's start; the runner's clock may be
        // hours off the parent's, which must not matter
        BootPhases phases = BootTimeline.phases(0, 2000 * MS, 62_000 * MS, List.of(
                new BootMark("join", 9000), new BootMark("instance", -30_000), new BootMark("jvm", 0),
                new BootMark("bundle", -5000), new BootMark("java", -20_000)));
        assertEquals(List.of("launch", "instance", "java", "bundle", "jvm", "join"), names(phases));
        assertEquals(Duration.ofMillis(21_000), phases.get("instance")); // 60 s after launch, 39 s on the instance
        assertEquals(Duration.ofMillis(10_000), phases.get("java"));
        assertEquals(Duration.ofMillis(15_000), phases.get("bundle"));
        assertEquals(Duration.ofMillis(5000), phases.get("jvm"));
        assertEquals(Duration.ofMillis(62_000), phases.total());
    }

    @Test
    void withoutMarksAllAfterTheLaunchIsTheRunnersPhase() {
        BootPhases phases = BootTimeline.phases(0, 10 * MS, 510 * MS, List.of());
        assertEquals(List.of("launch", "runner"), names(phases));
        assertEquals(Duration.ofMillis(500), phases.get("runner"));
    }

    @Test
    void aRunnerSpanLongerThanTheParentSawLeavesNoNegativePhase() {
        BootPhases phases = BootTimeline.phases(0, 0, 100 * MS, List.of(new BootMark("jvm", 0),
                new BootMark("join", 5000)));
        assertEquals(Duration.ZERO, phases.get("jvm"));
        assertEquals(Duration.ofMillis(5000), phases.get("join"));
    }

    private static List<String> names(BootPhases phases) {
        return phases.phases().stream().map(BootPhases.Phase::name).toList();
    }
}
