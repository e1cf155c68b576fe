package io.flameec2.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * When a call must end, on a monotonic clock ({@link System#nanoTime()} unless a test supplies its own). An
 * NTP step or a manual change of the wall clock moves no deadline, as FLAME's deadlines are monotonic time;
 * wall-clock time is only for what a person reads. Immutable and thread-safe.
 */
public final class Deadline {

    /** The longest timeout kept exactly (about 146 years); longer ones are capped there, not overflowed. */
    private static final long LONGEST_NANOS = Long.MAX_VALUE / 2;
    private static final Deadline NONE = new Deadline(0, null);

    private final long atNanos;
    private final LongSupplier nanoClock;

    private Deadline(long atNanos, LongSupplier nanoClock) {
        this.atNanos = atNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * No deadline: the work runs until it ends (a placed child).
     *
     * @return the deadline that never passes
     */
    public static Deadline none() {
        return NONE;
    }

    /**
     * The deadline {@code timeout} from now on {@link System#nanoTime()}.
     *
     * @param timeout how long from now; negative counts as zero
     * @return the deadline
     */
    public static Deadline after(Duration timeout) {
        return after(timeout, System::nanoTime);
    }

    /**
     * The deadline {@code timeout} from now on the given monotonic clock (tests pass one they can move).
     *
     * @param timeout how long from now; negative counts as zero
     * @param nanoClock a monotonic clock in nanoseconds, read as {@link System#nanoTime()} is: only
     *     differences of two readings mean anything, and they may wrap around
     * @return the deadline
     */
    public static Deadline after(Duration timeout, LongSupplier nanoClock) {
        Objects.requireNonNull(nanoClock, "nanoClock");
        long nanos = timeout.isNegative() ? 0 : timeout.compareTo(Duration.ofNanos(LONGEST_NANOS)) > 0
                ? LONGEST_NANOS : timeout.toNanos();
        return new Deadline(nanoClock.getAsLong() + nanos, nanoClock);
    }

    /**
     * Whether this is {@link #none()}.
     *
     * @return {@code true} when there is no deadline
     */
    public boolean isNone() {
        return nanoClock == null;
    }

    /**
     * The time left until the deadline, read from its clock now.
     *
     * @return the time left, zero once passed; empty for {@link #none()}
     */
    public Optional<Duration> timeLeft() {
        return isNone() ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, nanosLeft())));
    }

    /**
     * Whether the deadline has passed.
     *
     * @return {@code true} once its clock reached it; never for {@link #none()}
     */
    public boolean hasPassed() {
        return !isNone() && nanosLeft() <= 0;
    }

    /**
     * The same deadline moved by {@code extra} on the same clock.
     *
     * @param extra how much later (or, negative, earlier)
     * @return the later deadline; {@link #none()} stays none
     */
    public Deadline plus(Duration extra) {
        return isNone() ? this : new Deadline(atNanos + extra.toNanos(), nanoClock);
    }

    private long nanosLeft() {
        // a difference, not a comparison of readings: System.nanoTime() may wrap around
        return atNanos - nanoClock.getAsLong();
    }

    @Override
    public String toString() {
        return isNone() ? "Deadline[none]" : "Deadline[in " + timeLeft().orElseThrow().toMillis() + " ms]";
    }
}
