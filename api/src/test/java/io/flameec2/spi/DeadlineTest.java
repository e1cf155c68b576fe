package io.flameec2.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    /** Starts 1 s below the largest reading, so it wraps around as {@link System#nanoTime()} may. */
    private final AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 1_000_000_000L);

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void timeLeftIsTheMonotonicDifferenceAcrossTheWrapAround() {
        Deadline deadline = Deadline.after(Duration.ofSeconds(10), clock::get);
        advance(Duration.ofSeconds(4)); // the reading wraps to a negative number here
        assertTrue(clock.get() < 0);
        assertEquals(Optional.of(Duration.ofSeconds(6)), deadline.timeLeft());
        assertFalse(deadline.hasPassed());
        advance(Duration.ofSeconds(7));
        assertEquals(Optional.of(Duration.ZERO), deadline.timeLeft(), "never negative");
        assertTrue(deadline.hasPassed());
    }

    @Test
    void plusMovesItOnTheSameClock() {
        Deadline deadline = Deadline.after(Duration.ofSeconds(1), clock::get).plus(Duration.ofSeconds(2));
        assertEquals(Optional.of(Duration.ofSeconds(3)), deadline.timeLeft());
    }

    @Test
    void noneNeverPassesAndHasNoTimeLeft() {
        assertTrue(Deadline.none().isNone());
        assertEquals(Optional.empty(), Deadline.none().timeLeft());
        assertFalse(Deadline.none().hasPassed());
        assertTrue(Deadline.none().plus(Duration.ofSeconds(1)).isNone());
    }

    @Test
    void hugeAndNegativeTimeoutsNeitherOverflowNorGoBack() {
        Deadline far = Deadline.after(Duration.ofDays(365L * 1000), clock::get);
        assertTrue(far.timeLeft().orElseThrow().toDays() > 365L * 100, far.toString());
        assertEquals(Optional.of(Duration.ZERO), Deadline.after(Duration.ofSeconds(-5), clock::get).timeLeft());
    }

    @Test
    @SuppressWarnings("deprecation")
    void aWallClockDeadlineBecomesTimeLeftOnceAndNoneStaysNone() {
        FlameCall call = new FlameCall("c", new FlameInvocation.Closure(() -> 1), Instant.now().plusSeconds(30));
        Duration left = call.timeLeft().orElseThrow();
        assertTrue(left.compareTo(Duration.ofSeconds(29)) > 0 && left.compareTo(Duration.ofSeconds(30)) <= 0,
                left.toString());
        FlameCall child = new FlameCall("c", new FlameInvocation.Closure(() -> 1), Instant.MAX);
        assertEquals(Optional.empty(), child.timeLeft());
    }
}
