package io.flameec2.impl.remote.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.channel.BootMark;
import io.flameec2.impl.remote.common.RunnerEnv;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BootMarksTest {

    @Test
    void handedOverWallClockMarksBecomeOffsetsFromTheJvmsStart() {
        assertEquals(List.of(new BootMark("instance", -9000), new BootMark("bundle", -500)),
                BootMarks.handedOver("instance=1000, bundle=9500", 10_000));
    }

    @Test
    void malformedHandedOverMarksAreSkippedNotFatal() {
        assertEquals(List.of(new BootMark("java", -1)), BootMarks.handedOver("x,java=9999,bundle=soon", 10_000));
        assertEquals(List.of(), BootMarks.handedOver(null, 0));
    }

    @Test
    void theJoinsMarksAreInTimeOrderFromTheHandedOverOnesToTheJoin() {
        List<BootMark> marks = BootMarks.forJoin(Map.of(RunnerEnv.BOOT_MARKS, "bundle=1"));
        assertEquals("bundle", marks.get(0).phase());
        assertTrue(marks.get(0).sinceJvmStartMs() < 0);
        assertEquals("join", marks.get(marks.size() - 1).phase());
        assertTrue(marks.stream().anyMatch(m -> m.phase().equals("jvm") && m.sinceJvmStartMs() == 0));
        for (int i = 1; i < marks.size(); i++) {
            assertTrue(marks.get(i - 1).sinceJvmStartMs() <= marks.get(i).sinceJvmStartMs(), marks::toString);
        }
    }
}
