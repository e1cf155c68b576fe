package io.flameec2.impl.wire;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.config.ConfigLookup;
import java.io.ObjectInputFilter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The allow-list every Java deserialization of FlameEC2 goes through (calls on runners, replies on parents).
 * Allowed by default: Java value types, collections, {@code java.time}, {@code SerializedLambda} and
 * {@code io.flameec2.**}, plus arrays of those and of primitives; everything else is rejected unless
 * {@code flame.serialization.allow} names it in {@link ObjectInputFilter.Config#createFilter pattern syntax},
 * such as {@code com.acme.**;!com.acme.internal.*} (checked before the defaults, so {@code !} patterns can
 * also take a default away). Graph limits bound what one message may cost. Immutable and thread-safe.
 *
 * @param allow the application's extra patterns, {@code ;}-separated, possibly empty
 * @param maxBytes the most bytes of one message
 * @param maxDepth the deepest object nesting
 * @param maxRefs the most object references
 * @param maxArray the longest array
 */
public record WireFilter(String allow, long maxBytes, long maxDepth, long maxRefs, long maxArray) {

    /** Key: extra allowed classes, ObjectInputFilter pattern syntax ({@code com.acme.**}). */
    public static final String ALLOW = "flame.serialization.allow";
    /** Key: the most bytes of one message (a size such as {@code 16MiB}, or bytes). */
    public static final String MAX_BYTES = "flame.serialization.max-bytes";
    /** Key: the deepest object nesting. */
    public static final String MAX_DEPTH = "flame.serialization.max-depth";
    /** Key: the most object references in one message. */
    public static final String MAX_REFS = "flame.serialization.max-refs";
    /** Key: the longest array in one message. */
    public static final String MAX_ARRAY = "flame.serialization.max-array";

    /** Default {@link #MAX_BYTES}: 16 MiB. */
    public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
    /** Default {@link #MAX_DEPTH}. */
    public static final long DEFAULT_MAX_DEPTH = 100;
    /** Default {@link #MAX_REFS}. */
    public static final long DEFAULT_MAX_REFS = 1_000_000;
    /** Default {@link #MAX_ARRAY}. */
    public static final long DEFAULT_MAX_ARRAY = 16L * 1024 * 1024;

    /**
     * The classes allowed without configuration. Deliberately not {@code java.net.URL} (its hashCode does
     * DNS lookups), no {@code java.lang.reflect} or proxies, nothing outside {@code java.base} but FlameEC2.
     */
    public static final List<String> DEFAULTS = List.of(
            "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Character",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Number",
            "java.lang.Enum", "java.lang.Object", "java.lang.StackTraceElement",
            "java.lang.invoke.SerializedLambda",
            "java.math.BigInteger", "java.math.BigDecimal", "java.net.URI",
            "java.util.*", "java.util.concurrent.*", "java.util.concurrent.atomic.*", "java.time.**",
            "io.flameec2.**");

    /**
     * Checks the limits.
     *
     * @param allow the record component
     * @param maxBytes the record component
     * @param maxDepth the record component
     * @param maxRefs the record component
     * @param maxArray the record component
     */
    public WireFilter {
        allow = allow == null ? "" : allow.trim();
        positive(MAX_BYTES, maxBytes);
        positive(MAX_DEPTH, maxDepth);
        positive(MAX_REFS, maxRefs);
        positive(MAX_ARRAY, maxArray);
        try {
            ObjectInputFilter.Config.createFilter(patterns(allow));
        } catch (IllegalArgumentException e) {
            throw new FlameConfigurationException(ALLOW, "is not an ObjectInputFilter pattern list: " + e.getMessage());
        }
    }

    /**
     * The defaults only.
     *
     * @return the filter
     */
    public static WireFilter defaults() {
        return new WireFilter("", DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_REFS, DEFAULT_MAX_ARRAY);
    }

    /**
     * Reads the {@code flame.serialization.*} keys.
     *
     * @param config the configuration
     * @return the filter
     * @throws FlameConfigurationException naming the key of a bad value
     */
    public static WireFilter read(ConfigLookup config) {
        return new WireFilter(config.get(ALLOW).orElse(""),
                size(config, MAX_BYTES, DEFAULT_MAX_BYTES), number(config, MAX_DEPTH, DEFAULT_MAX_DEPTH),
                number(config, MAX_REFS, DEFAULT_MAX_REFS), number(config, MAX_ARRAY, DEFAULT_MAX_ARRAY));
    }

    /**
     * A filter for one stream: it remembers why it rejected, so the error names the class or limit.
     *
     * @return a fresh stream filter
     */
    public StreamFilter newStreamFilter() {
        return new StreamFilter(this, ObjectInputFilter.Config.createFilter(patterns(allow)));
    }

    private static String patterns(String allow) {
        StringBuilder b = new StringBuilder();
        for (String p : allow.split("[;,]")) {
            if (!p.isBlank()) {
                b.append(p.trim()).append(';');
            }
        }
        DEFAULTS.forEach(p -> b.append(p).append(';'));
        return b.append("!*").toString();
    }

    /** The filter of one stream, with the reason of its first rejection. */
    public static final class StreamFilter implements ObjectInputFilter {
        private final WireFilter limits;
        private final ObjectInputFilter patterns;
        private volatile String rejection;

        private StreamFilter(WireFilter limits, ObjectInputFilter patterns) {
            this.limits = limits;
            this.patterns = patterns;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            String why = check(info);
            if (why != null) {
                if (rejection == null) {
                    rejection = why;
                }
                return Status.REJECTED;
            }
            return Status.ALLOWED;
        }

        private String check(FilterInfo info) {
            if (info.depth() > limits.maxDepth) {
                return "object graph deeper than " + limits.maxDepth + " (" + MAX_DEPTH + ")";
            }
            if (info.references() > limits.maxRefs) {
                return "more than " + limits.maxRefs + " object references (" + MAX_REFS + ")";
            }
            if (info.streamBytes() > limits.maxBytes) {
                return "more than " + limits.maxBytes + " bytes (" + MAX_BYTES + ")";
            }
            if (info.arrayLength() > limits.maxArray) {
                return "an array of " + info.arrayLength() + " elements, more than " + limits.maxArray + " ("
                        + MAX_ARRAY + ")";
            }
            Class<?> type = info.serialClass();
            if (type == null) {
                return null;
            }
            Class<?> element = type;
            while (element.isArray()) {
                element = element.getComponentType();
            }
            if (element.isPrimitive()) {
                return null;
            }
            if (patterns.checkInput(info) == Status.ALLOWED) {
                return null;
            }
            return "class " + type.getName() + " is not allowed; add it to " + ALLOW + " (for example "
                    + packagePattern(element) + ") if it is safe to deserialize";
        }

        /**
         * Why the stream was rejected.
         *
         * @return the first rejection, or empty
         */
        public Optional<String> rejection() {
            return Optional.ofNullable(rejection);
        }
    }

    private static String packagePattern(Class<?> type) {
        String pkg = type.getPackageName();
        return pkg.isEmpty() ? type.getName() : pkg + ".*";
    }

    private static void positive(String key, long value) {
        if (value < 1) {
            throw new FlameConfigurationException(key, "must be 1 or more, was " + value);
        }
    }

    private static long number(ConfigLookup config, String key, long fallback) {
        Optional<String> value = config.get(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.get().trim());
        } catch (NumberFormatException e) {
            throw new FlameConfigurationException(key, "must be a whole number, was '" + value.get() + "'");
        }
    }

    /** Sizes: a number of bytes, or with KiB/MiB/GiB (also KB/MB/GB, read as powers of 1024). */
    static long size(ConfigLookup config, String key, long fallback) {
        Optional<String> value = config.get(key);
        if (value.isEmpty()) {
            return fallback;
        }
        String text = value.get().trim().toLowerCase(Locale.ROOT).replace(" ", "");
        long unit = 1;
        for (String[] u : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"},
                {"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1024"}, {"m", "1048576"},
                {"g", "1073741824"}, {"b", "1"}}) {
            if (text.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                text = text.substring(0, text.length() - u[0].length());
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(text), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new FlameConfigurationException(key, "must be a size such as 16MiB, 512KiB or a number of bytes, was '"
                    + value.get() + "'");
        }
    }
}
