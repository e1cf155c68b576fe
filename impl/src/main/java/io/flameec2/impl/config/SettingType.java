package io.flameec2.impl.config;

import io.flameec2.FlameConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How the text of a setting becomes its value: the one parser of each kind of value every {@code flame.*} key
 * uses, so a whole number, a list or a duration is read, and refused, the same way wherever it is configured.
 * Every error names the full key.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface SettingType<T> {

    /** Text as written (trimmed). */
    SettingType<String> TEXT = (key, text) -> text;
    /** A whole number ({@code int}). */
    SettingType<Integer> INTEGER = (key, text) -> Math.toIntExact(wholeNumber(key, text, Integer.MIN_VALUE,
            Integer.MAX_VALUE));
    /** A whole number ({@code long}). */
    SettingType<Long> LONG = (key, text) -> wholeNumber(key, text, Long.MIN_VALUE, Long.MAX_VALUE);
    /** A number of bytes, or with KiB/MiB/GiB (also KB/MB/GB, K/M/G, read as powers of 1024). */
    SettingType<Long> SIZE = (key, text) -> {
        String digits = text.toLowerCase(Locale.ROOT).replace(" ", "");
        long unit = 1;
        for (String[] u : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"},
                {"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1024"}, {"m", "1048576"},
                {"g", "1073741824"}, {"b", "1"}}) {
            if (digits.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                digits = digits.substring(0, digits.length() - u[0].length());
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new FlameConfigurationException(key,
                    "must be a size such as 16MiB, 512KiB or a number of bytes, was '" + text + "'");
        }
    };
    /** {@code true} or {@code false}, in any case. */
    SettingType<Boolean> BOOLEAN = (key, text) -> switch (text.toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new FlameConfigurationException(key, "must be true or false, was '" + text + "'");
    };
    /** A comma-separated list without empty items. */
    SettingType<List<String>> LIST = (key, text) -> {
        List<String> items = Arrays.stream(text.split(",", -1)).map(String::trim).toList();
        if (items.stream().anyMatch(String::isEmpty)) {
            throw new FlameConfigurationException(key,
                    "must be a comma-separated list without empty items, was '" + text + "'");
        }
        return items;
    };
    /** Comma-separated {@code name=value} pairs, in order, each name once. */
    SettingType<Map<String, String>> PAIRS = (key, text) -> {
        Map<String, String> out = new LinkedHashMap<>();
        for (String item : text.split(",")) {
            int eq = item.indexOf('=');
            String name = eq < 0 ? "" : item.substring(0, eq).trim();
            if (name.isEmpty()) {
                throw new FlameConfigurationException(key,
                        "must be comma-separated name=value pairs, got '" + item.trim() + "'");
            }
            if (out.put(name, item.substring(eq + 1).trim()) != null) {
                throw new FlameConfigurationException(key, "names '" + name + "' twice");
            }
        }
        return out;
    };
    /**
     * Environment variables for a runner, {@code NAME=value} pairs. Every {@code FLAME_*} name is reserved: the
     * backends set the runner's {@code FLAME_*} variables, and a name they do not set today may be one they set
     * tomorrow.
     */
    SettingType<Map<String, String>> ENV = (key, text) -> {
        Map<String, String> env = PAIRS.parse(key, text);
        env.keySet().forEach(name -> requireEnvName(key, name));
        return env;
    };
    /** A URI; what it must point to is checked where it is used. */
    SettingType<URI> URL = (key, text) -> {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new FlameConfigurationException(key, "is not a valid URL: " + e.getMessage());
        }
    };
    /** An absolute {@code http://} or {@code https://} URL with a host: an endpoint. */
    SettingType<URI> HTTP_URL = (key, text) -> {
        URI value = URL.parse(key, text);
        String scheme = value.getScheme();
        if (!value.isAbsolute() || value.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new FlameConfigurationException(key,
                    "must be an http(s) URL such as https://ec2.eu-west-1.amazonaws.com, was '" + value + "'");
        }
        return value;
    };
    /** A positive duration (see {@link Durations}). */
    SettingType<Duration> DURATION = Durations::parse;
    /** A positive duration, or {@code infinity} (empty). */
    SettingType<Optional<Duration>> DURATION_OR_INFINITY = Durations::parseOrInfinite;

    /**
     * Parses a value.
     *
     * @param key the full key the text was read from, named in errors
     * @param text the text, trimmed and not empty
     * @return the value
     * @throws FlameConfigurationException naming the key when the text is not a value of this type
     */
    T parse(String key, String text);

    /**
     * Checks the name of a variable for a runner's environment (see {@link #ENV}).
     *
     * @param key the setting's full key, named in the error
     * @param name the variable's name
     * @throws FlameConfigurationException naming the key when the name is not a variable's name or is reserved
     */
    static void requireEnvName(String key, String name) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new FlameConfigurationException(key, "'" + name + "' is not a valid variable name");
        }
        if (name.startsWith("FLAME_")) {
            throw new FlameConfigurationException(key,
                    "'" + name + "' is reserved (the FLAME_* variables are set by the backend)");
        }
    }

    private static long wholeNumber(String key, String text, long min, long max) {
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, as for an out-of-range number
        }
        throw new FlameConfigurationException(key, "must be a whole number, was '" + text + "'");
    }
}
