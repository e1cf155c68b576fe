package io.flameec2.impl.remote.runner;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EC2's advance word that this runner's spot instance goes away, as the instance metadata serves it: an
 * interruption notice ({@code spot/instance-action}: the instance is stopped, hibernated or terminated at
 * {@link #time()}, about two minutes after the notice) or a rebalance recommendation
 * ({@code events/recommendations/rebalance}: the instance is at elevated risk; an interruption may follow, or not).
 * Either way the runner retires: it takes no new calls and drains until {@link #drainDeadline}.
 *
 * @param kind which notice
 * @param action for an interruption, what EC2 does at {@link #time()} ({@code terminate}, {@code stop},
 *     {@code hibernate}); {@code rebalance} for a recommendation
 * @param time when the instance is taken (interruption), or when the recommendation was made (rebalance)
 */
public record SpotNotice(Kind kind, String action, Instant time) {

    /** The kinds of notice. */
    public enum Kind {
        /** {@code spot/instance-action}: the instance is taken at the notice's time. */
        INTERRUPTION("spot interruption"),
        /** {@code events/recommendations/rebalance}: the instance is at elevated risk of interruption. */
        REBALANCE("spot rebalance recommendation");

        private final String reason;

        Kind(String reason) {
            this.reason = reason;
        }

        /**
         * Why a runner retires on this notice: what the parent hears, and what calls that cannot finish fail with.
         *
         * @return {@code spot interruption} or {@code spot rebalance recommendation}
         */
        public String reason() {
            return reason;
        }
    }

    /** The metadata path of the interruption notice (404 while there is none). */
    public static final String INSTANCE_ACTION = "spot/instance-action";
    /** The metadata path of the rebalance recommendation (404 while there is none). */
    public static final String REBALANCE = "events/recommendations/rebalance";
    /**
     * The warning EC2 gives before it interrupts a spot instance: also how long a runner drains on a rebalance
     * recommendation, and the interruption time assumed when a notice's time cannot be read.
     */
    public static final Duration WARNING = Duration.ofMinutes(2);
    /**
     * Taken off the interruption time for the drain: the runner's replies must be out and its JVM gone before EC2
     * takes the instance, and the notice's time is to the second.
     */
    static final Duration EXIT_MARGIN = Duration.ofSeconds(5);

    private static final Pattern ACTION = Pattern.compile("\"action\"\\s*:\\s*\"([A-Za-z-]+)\"");
    private static final Pattern TIME = Pattern.compile("\"time\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern NOTICE_TIME = Pattern.compile("\"noticeTime\"\\s*:\\s*\"([^\"]+)\"");

    /**
     * Reads an interruption notice, {@code {"action": "terminate", "time": "2026-12-03T06:00:00Z"}}. A notice
     * whose time cannot be read is still a notice: EC2 then takes the instance {@link #WARNING} after now.
     *
     * @param json the body of {@value #INSTANCE_ACTION}
     * @param now the time it was read
     * @return the notice
     */
    public static SpotNotice interruption(String json, Instant now) {
        Matcher action = ACTION.matcher(json);
        return new SpotNotice(Kind.INTERRUPTION, action.find() ? action.group(1) : "terminate",
                instant(TIME, json).orElse(now.plus(WARNING)));
    }

    /**
     * Reads a rebalance recommendation, {@code {"noticeTime": "2026-12-03T06:00:00Z"}}.
     *
     * @param json the body of {@value #REBALANCE}
     * @param now the time it was read, when the notice's own time cannot be read
     * @return the notice
     */
    public static SpotNotice rebalance(String json, Instant now) {
        return new SpotNotice(Kind.REBALANCE, "rebalance", instant(NOTICE_TIME, json).orElse(now));
    }

    /**
     * Until when in-flight calls may run: {@link #EXIT_MARGIN} before the interruption; for a rebalance
     * recommendation, which sets no time, {@link #WARNING} from now (an interruption notice that follows moves it
     * earlier). Never before {@code now}.
     *
     * @param now the current time
     * @return the deadline of the drain, the runner's exit included
     */
    public Instant drainDeadline(Instant now) {
        Instant deadline = kind == Kind.INTERRUPTION ? time.minus(EXIT_MARGIN) : now.plus(WARNING);
        return deadline.isBefore(now) ? now : deadline;
    }

    /**
     * The reason of {@link #kind()}.
     *
     * @return {@code spot interruption} or {@code spot rebalance recommendation}
     */
    public String reason() {
        return kind.reason();
    }

    private static Optional<Instant> instant(Pattern field, String json) {
        Matcher m = field.matcher(json);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(m.group(1)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
