package io.flameec2.impl.wire;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.config.Setting;
import io.flameec2.impl.config.SettingType;
import io.flameec2.impl.config.Settings;
import java.io.ObjectInputFilter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The allow-list every Java deserialization of FlameEC2 goes through (calls on runners, replies on parents).
 * Allowed by default: Java value types, collections, {@code java.time} and {@code io.flameec2.**}, plus arrays
 * of those and of primitives; everything else is rejected unless {@code flame.serialization.allow} names it in
 * {@link ObjectInputFilter.Config#createFilter pattern syntax}, such as {@code com.acme.**;!com.acme.internal.*}
 * (checked before the defaults, so {@code !} patterns can also take a default away). Graph limits bound what
 * one message may cost, and no array may claim more elements than its message has bytes for.
 *
 * <p>Lambdas travel as {@link WireLambda}: their capturing class is a name, never a class descriptor, so a
 * closure written in a servlet or a REST resource needs no allow-list entry for its class hierarchy, and no
 * class outside the allow-list is ever instantiated. {@link #forReplies() Replies} get a narrower filter:
 * no lambdas unless {@code flame.serialization.replies.allow-lambdas=true}, and a shallow depth limit, so a
 * compromised runner cannot make the parent spend hours on a nested-set graph (SerialDOS). Immutable and
 * thread-safe.
 *
 * @param allow the application's extra patterns, {@code ;}-separated, possibly empty
 * @param maxBytes the most bytes of one message
 * @param maxDepth the deepest object nesting
 * @param maxRefs the most object references
 * @param maxArray the longest array
 * @param lambdas whether lambdas ({@link WireLambda}) may be deserialized
 * @param replies whether this filter reads replies (its errors then name the {@code replies.*} keys)
 */
public record WireFilter(String allow, long maxBytes, long maxDepth, long maxRefs, long maxArray,
        boolean lambdas, boolean replies) {

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

    /** Key: the deepest object nesting of a reply. */
    public static final String REPLIES_MAX_DEPTH = "flame.serialization.replies.max-depth";
    /** Key: the most object references in one reply. */
    public static final String REPLIES_MAX_REFS = "flame.serialization.replies.max-refs";
    /** Key: whether replies may carry lambdas. */
    public static final String REPLIES_ALLOW_LAMBDAS = "flame.serialization.replies.allow-lambdas";

    /** Default {@link #MAX_BYTES}: 16 MiB. */
    public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
    /** Default {@link #MAX_DEPTH}. */
    public static final long DEFAULT_MAX_DEPTH = 100;
    /** Default {@link #MAX_REFS}. */
    public static final long DEFAULT_MAX_REFS = 1_000_000;
    /** Default {@link #MAX_ARRAY}. */
    public static final long DEFAULT_MAX_ARRAY = 16L * 1024 * 1024;
    /**
     * Default {@link #REPLIES_MAX_DEPTH}. A graph whose hash codes are computed along shared paths (nested sets,
     * the classic SerialDOS) costs about 2^depth hash computations while it is read: measured here, the worst
     * such graph within a limit of 22 kept the decoding thread busy 2.2 s of CPU, within 20 about 0.15 s
     * (WireCodecTest checks it stays under a second). 20 leaves room for a result's own nesting and for the
     * deepest failure's cause chain ({@link WireFailure#MAX_CAUSES}).
     */
    public static final long DEFAULT_REPLIES_MAX_DEPTH = 20;
    /** Default {@link #REPLIES_MAX_REFS}: a result of about a million small objects, as a 16 MiB reply holds. */
    public static final long DEFAULT_REPLIES_MAX_REFS = 1_000_000;

    private static final Setting<String> ALLOW_SETTING = Setting.of(ALLOW, SettingType.TEXT, "",
            "extra classes calls and results may carry");
    private static final Setting<Long> MAX_BYTES_SETTING = Setting.of(MAX_BYTES, SettingType.SIZE,
            DEFAULT_MAX_BYTES, "the largest call or result");
    private static final Setting<Long> MAX_DEPTH_SETTING = Setting.of(MAX_DEPTH, SettingType.LONG,
            DEFAULT_MAX_DEPTH, "the deepest object nesting of a call");
    private static final Setting<Long> MAX_REFS_SETTING = Setting.of(MAX_REFS, SettingType.LONG,
            DEFAULT_MAX_REFS, "the most object references of a call");
    private static final Setting<Long> MAX_ARRAY_SETTING = Setting.of(MAX_ARRAY, SettingType.LONG,
            DEFAULT_MAX_ARRAY, "the longest array of a call");
    private static final Setting<Long> REPLIES_MAX_DEPTH_SETTING = Setting.of(REPLIES_MAX_DEPTH, SettingType.LONG,
            DEFAULT_REPLIES_MAX_DEPTH, "the deepest object nesting of a reply");
    private static final Setting<Long> REPLIES_MAX_REFS_SETTING = Setting.of(REPLIES_MAX_REFS, SettingType.LONG,
            DEFAULT_REPLIES_MAX_REFS, "the most object references of a reply");
    private static final Setting<Boolean> REPLIES_ALLOW_LAMBDAS_SETTING = Setting.of(REPLIES_ALLOW_LAMBDAS,
            SettingType.BOOLEAN, false, "whether results may be closures");
    /** Every {@code flame.serialization.*} setting. */
    public static final List<Setting<?>> SETTINGS = List.of(ALLOW_SETTING, MAX_BYTES_SETTING, MAX_DEPTH_SETTING,
            MAX_REFS_SETTING, MAX_ARRAY_SETTING, REPLIES_MAX_DEPTH_SETTING, REPLIES_MAX_REFS_SETTING,
            REPLIES_ALLOW_LAMBDAS_SETTING);

    /**
     * The classes allowed without configuration. Deliberately not {@code java.net.URL} (its hashCode does
     * DNS lookups), no {@code java.lang.reflect} or proxies, nothing outside {@code java.base} but FlameEC2.
     */
    public static final List<String> DEFAULTS = List.of(
            "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Character",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Number",
            "java.lang.Enum", "java.lang.Object", "java.lang.StackTraceElement",
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
     * @param lambdas the record component
     * @param replies the record component
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
     * A filter for calls: lambdas allowed.
     *
     * @param allow the application's extra patterns
     * @param maxBytes the most bytes of one message
     * @param maxDepth the deepest object nesting
     * @param maxRefs the most object references
     * @param maxArray the longest array
     */
    public WireFilter(String allow, long maxBytes, long maxDepth, long maxRefs, long maxArray) {
        this(allow, maxBytes, maxDepth, maxRefs, maxArray, true, false);
    }

    /**
     * The defaults only, for calls.
     *
     * @return the filter
     */
    public static WireFilter defaults() {
        return new WireFilter("", DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_REFS, DEFAULT_MAX_ARRAY);
    }

    /**
     * The filter for replies that goes with this filter for calls, with the default reply limits: the same
     * allow-list, byte and array limits; depth and references at most {@link #DEFAULT_REPLIES_MAX_DEPTH} and
     * {@link #DEFAULT_REPLIES_MAX_REFS}; no lambdas. Where configuration is at hand, {@link #readReplies} is
     * the configured one.
     *
     * @return the reply filter
     */
    public WireFilter forReplies() {
        return new WireFilter(allow, maxBytes, Math.min(maxDepth, DEFAULT_REPLIES_MAX_DEPTH),
                Math.min(maxRefs, DEFAULT_REPLIES_MAX_REFS), maxArray, false, true);
    }

    /**
     * Reads the filter for replies (what a runner sends its parent): {@code flame.serialization.allow},
     * {@code max-bytes} and {@code max-array} as for calls, and the {@code flame.serialization.replies.*}
     * keys.
     *
     * @param config the configuration
     * @return the reply filter
     * @throws FlameConfigurationException naming the key of a bad value
     */
    public static WireFilter readReplies(ConfigLookup config) {
        WireFilter calls = read(config);
        Settings s = Settings.global(config);
        long depth = s.value(REPLIES_MAX_DEPTH_SETTING);
        long refs = s.value(REPLIES_MAX_REFS_SETTING);
        positive(REPLIES_MAX_DEPTH, depth);
        positive(REPLIES_MAX_REFS, refs);
        return new WireFilter(calls.allow, calls.maxBytes, depth, refs, calls.maxArray,
                s.value(REPLIES_ALLOW_LAMBDAS_SETTING), true);
    }

    /**
     * Reads the {@code flame.serialization.*} keys.
     *
     * @param config the configuration
     * @return the filter
     * @throws FlameConfigurationException naming the key of a bad value
     */
    public static WireFilter read(ConfigLookup config) {
        Settings s = Settings.global(config);
        return new WireFilter(s.value(ALLOW_SETTING), s.value(MAX_BYTES_SETTING), s.value(MAX_DEPTH_SETTING),
                s.value(MAX_REFS_SETTING), s.value(MAX_ARRAY_SETTING));
    }

    /**
     * A filter for one stream of unknown length: it remembers why it rejected, so the error names the class or
     * limit.
     *
     * @return a fresh stream filter
     */
    public StreamFilter newStreamFilter() {
        return newStreamFilter(maxBytes);
    }

    /**
     * A filter for one message of the given length: arrays that could not fit in it are refused before they
     * are allocated (a forged length in an array header would otherwise allocate it).
     *
     * @param messageBytes the length of the message
     * @return a fresh stream filter
     */
    public StreamFilter newStreamFilter(long messageBytes) {
        return new StreamFilter(this, patternFilter(), Math.min(messageBytes, maxBytes));
    }

    /** The allow-list alone, without limits: the application's patterns, then the defaults, then refuse. */
    ObjectInputFilter patternFilter() {
        // parsed once per allow-list, not per message: parsing was a sixth of a no-op call's CPU on the parent
        return PATTERN_FILTERS.computeIfAbsent(allow, a -> ObjectInputFilter.Config.createFilter(patterns(a)));
    }

    /** The parsed allow-lists, by their text (a few per application: they come from its configuration). */
    private static final Map<String, ObjectInputFilter> PATTERN_FILTERS = new ConcurrentHashMap<>();

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
        private final long messageBytes;
        private volatile String rejection;
        /** The class of the lambda just rebuilt from a {@link WireLambda}, which the stream checks once more. */
        private Class<?> rebuiltLambda;

        private StreamFilter(WireFilter limits, ObjectInputFilter patterns, long messageBytes) {
            this.limits = limits;
            this.patterns = patterns;
            this.messageBytes = messageBytes;
        }

        /**
         * Admits the class of a lambda rebuilt from a {@link WireLambda} by the stream's resolveObject: the
         * stream hands every replaced object's class to the filter, and a lambda's class is a hidden class no
         * pattern can name (nor can a stream: it is never resolved from a descriptor).
         *
         * @param lambdaClass the class of the rebuilt lambda
         */
        void admitRebuiltLambda(Class<?> lambdaClass) {
            rebuiltLambda = lambdaClass;
        }

        /**
         * The allow-list of this stream, without limits.
         *
         * @return the pattern filter
         */
        ObjectInputFilter patterns() {
            return patterns;
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
                return "object graph deeper than " + limits.maxDepth + " ("
                        + (limits.replies ? REPLIES_MAX_DEPTH : MAX_DEPTH) + ")";
            }
            if (info.references() > limits.maxRefs) {
                return "more than " + limits.maxRefs + " object references ("
                        + (limits.replies ? REPLIES_MAX_REFS : MAX_REFS) + ")";
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
            if (type == rebuiltLambda && type.isHidden()) {
                rebuiltLambda = null;
                return null;
            }
            if (info.arrayLength() > 0 && type.isArray()
                    && info.arrayLength() > messageBytes / elementBytes(type.getComponentType())) {
                // every element takes at least this many bytes of the message (an object element at least a
                // null or reference tag): a longer array can only be a forged length
                return "an array of " + info.arrayLength() + " " + type.getComponentType().getName()
                        + " elements cannot be in a message of " + messageBytes + " bytes";
            }
            if (!limits.lambdas && (type == WireLambda.class || type.getName().equals(SERIALIZED_LAMBDA))) {
                return "a lambda is not allowed in a reply; set " + REPLIES_ALLOW_LAMBDAS
                        + "=true if results may be closures";
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

    private static final String SERIALIZED_LAMBDA = "java.lang.invoke.SerializedLambda";

    /** The fewest bytes one array element takes in a serialization stream. */
    private static long elementBytes(Class<?> component) {
        if (component == long.class || component == double.class) {
            return 8;
        }
        if (component == int.class || component == float.class) {
            return 4;
        }
        if (component == short.class || component == char.class) {
            return 2;
        }
        return 1;
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
}
