package io.flameec2.impl.config;

import io.flameec2.FlameConfigurationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration syntax of every {@code flame.*} duration key: a number with a unit ({@code 500ms},
 * {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}), ISO-8601 ({@code PT30S}), or a bare number of
 * milliseconds. {@code infinity} is accepted only where a key allows it.
 */
public final class Durations {

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses a finite, positive duration.
     *
     * @param key the key the value was read from, named in the error
     * @param value the text
     * @return the duration
     * @throws FlameConfigurationException naming the key when the text is not a positive duration
     */
    public static Duration parse(String key, String value) {
        Duration parsed = parseAny(key, value);
        if (parsed.isZero() || parsed.isNegative()) {
            throw new FlameConfigurationException(key, "must be a positive duration, was '" + value + "'");
        }
        return parsed;
    }

    /**
     * Parses a positive duration or {@code infinity} (also {@code infinite}, {@code never}).
     *
     * @param key the key the value was read from, named in the error
     * @param value the text
     * @return the duration, or empty for infinity
     * @throws FlameConfigurationException naming the key when the text is neither
     */
    public static Optional<Duration> parseOrInfinite(String key, String value) {
        String text = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (text.equals("infinity") || text.equals("infinite") || text.equals("never")) {
            return Optional.empty();
        }
        return Optional.of(parse(key, value));
    }

    private static Duration parseAny(String key, String value) {
        String text = value == null ? "" : value.trim();
        if (text.isEmpty()) {
            throw new FlameConfigurationException(key, "must be a duration such as 30s, 500ms or PT30S, was empty");
        }
        if (text.chars().allMatch(Character::isDigit)) {
            return Duration.ofMillis(parseLong(key, text));
        }
        Matcher m = WITH_UNIT.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = parseLong(key, m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new FlameConfigurationException(key,
                    "must be a duration such as 30s, 500ms, 5m or PT30S, was '" + value + "'");
        }
    }

    private static long parseLong(String key, String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new FlameConfigurationException(key, "is too large: '" + digits + "'");
        }
    }
}
