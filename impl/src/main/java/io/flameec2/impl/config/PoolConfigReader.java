package io.flameec2.impl.config;

import static io.flameec2.FlamePoolConfig.key;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@link FlamePoolConfig} from {@code flame.pools.<name>.*}, and declares those settings. FLAME has
 * per-pool options only, and so do we; every error names the key at fault. {@code max} is required, as in
 * FLAME. The ranges are checked by {@link FlamePoolConfig} itself.
 */
public final class PoolConfigReader {

    /** {@link FlamePoolConfig#min()}. */
    public static final Setting<Integer> MIN = Setting.of(FlamePoolConfig.MIN, SettingType.INTEGER,
            FlamePoolConfig.DEFAULT_MIN, "runners kept booted even when idle");
    /** {@link FlamePoolConfig#max()}; required. */
    public static final Setting<Integer> MAX = Setting.of(FlamePoolConfig.MAX, SettingType.INTEGER,
            "the most runners the pool boots");
    /** {@link FlamePoolConfig#spare()}. */
    public static final Setting<Integer> SPARE = Setting.of(FlamePoolConfig.SPARE, SettingType.INTEGER,
            FlamePoolConfig.DEFAULT_SPARE, "idle runners kept booted above current demand, within max");
    /** {@link FlamePoolConfig#maxConcurrency()}. */
    public static final Setting<Integer> MAX_CONCURRENCY = Setting.of(FlamePoolConfig.MAX_CONCURRENCY,
            SettingType.INTEGER, FlamePoolConfig.DEFAULT_MAX_CONCURRENCY, "the most calls one runner takes at once");
    /** {@link FlamePoolConfig#idleShutdownAfter()}. */
    public static final Setting<Duration> IDLE_SHUTDOWN_AFTER = Setting.of(FlamePoolConfig.IDLE_SHUTDOWN_AFTER,
            SettingType.DURATION, FlamePoolConfig.DEFAULT_IDLE_SHUTDOWN_AFTER, "a runner above min idle this long stops");
    /** {@link FlamePoolConfig#minIdleShutdownAfter()}. */
    public static final Setting<Optional<Duration>> MIN_IDLE_SHUTDOWN_AFTER = Setting.of(
            FlamePoolConfig.MIN_IDLE_SHUTDOWN_AFTER, SettingType.DURATION_OR_INFINITY, Optional.empty(),
            "a min runner idle this long stops");
    /** {@link FlamePoolConfig#singleUse()}. */
    public static final Setting<Boolean> SINGLE_USE = Setting.of(FlamePoolConfig.SINGLE_USE, SettingType.BOOLEAN,
            false, "stop a runner after its first call");
    /** {@link FlamePoolConfig#timeout()}. */
    public static final Setting<Duration> TIMEOUT = Setting.of(FlamePoolConfig.TIMEOUT, SettingType.DURATION,
            FlamePoolConfig.DEFAULT_TIMEOUT, "default call timeout");
    /** {@link FlamePoolConfig#bootTimeout()}. */
    public static final Setting<Duration> BOOT_TIMEOUT = Setting.of(FlamePoolConfig.BOOT_TIMEOUT,
            SettingType.DURATION, FlamePoolConfig.DEFAULT_BOOT_TIMEOUT, "a runner must boot and join within this");
    /** {@link FlamePoolConfig#shutdownTimeout()}. */
    public static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.of(FlamePoolConfig.SHUTDOWN_TIMEOUT,
            SettingType.DURATION, FlamePoolConfig.DEFAULT_SHUTDOWN_TIMEOUT, "how long a stopping runner may take");
    /** {@link FlamePoolConfig#backend()}. */
    public static final Setting<String> BACKEND = Setting.of(FlamePoolConfig.BACKEND, SettingType.TEXT,
            FlamePoolConfig.DEFAULT_BACKEND, "local, process or ec2");
    /** Every pool setting, {@code flame.pools.<pool>.<name>}. */
    public static final List<Setting<?>> SETTINGS = List.of(MIN, MAX, SPARE, MAX_CONCURRENCY, IDLE_SHUTDOWN_AFTER,
            MIN_IDLE_SHUTDOWN_AFTER, SINGLE_USE, TIMEOUT, BOOT_TIMEOUT, SHUTDOWN_TIMEOUT, BACKEND);

    private final ConfigLookup lookup;

    /**
     * Creates a reader.
     *
     * @param lookup where values come from
     */
    public PoolConfigReader(ConfigLookup lookup) {
        this.lookup = lookup;
    }

    /**
     * Reads one pool's configuration.
     *
     * @param pool the pool name
     * @return the configuration
     * @throws FlameConfigurationException naming the key of the first missing or invalid value
     */
    public FlamePoolConfig read(String pool) {
        Settings s = Settings.pool(lookup, pool);
        String maxKey = key(pool, FlamePoolConfig.MAX);
        int max = s.get(MAX).orElseThrow(() -> new FlameConfigurationException(maxKey,
                "is required: the most runners pool '" + pool + "' may boot, e.g. " + maxKey + "=10"));
        return new FlamePoolConfig(pool, s.value(MIN), max, s.value(SPARE), s.value(MAX_CONCURRENCY), s.value(IDLE_SHUTDOWN_AFTER),
                s.value(MIN_IDLE_SHUTDOWN_AFTER), s.value(SINGLE_USE), s.value(TIMEOUT), s.value(BOOT_TIMEOUT),
                s.value(SHUTDOWN_TIMEOUT), s.value(BACKEND));
    }
}
