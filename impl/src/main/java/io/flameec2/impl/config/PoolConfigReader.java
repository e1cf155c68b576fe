package io.flameec2.impl.config;

import static io.flameec2.FlamePoolConfig.key;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a {@link FlamePoolConfig} from {@code flame.pools.<name>.*}. FLAME has per-pool options only, and
 * so do we; every error names the key at fault. {@code max} is required, as in FLAME.
 */
public final class PoolConfigReader {

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
        FlamePoolConfig.Builder b = FlamePoolConfig.builder(pool);
        String maxKey = key(pool, FlamePoolConfig.MAX);
        b.max(integer(maxKey).orElseThrow(() -> new FlameConfigurationException(maxKey,
                "is required: the most runners pool '" + pool + "' may boot, e.g. " + maxKey + "=10")));
        integer(key(pool, FlamePoolConfig.MIN)).ifPresent(b::min);
        integer(key(pool, FlamePoolConfig.MAX_CONCURRENCY)).ifPresent(b::maxConcurrency);
        duration(pool, FlamePoolConfig.IDLE_SHUTDOWN_AFTER).ifPresent(b::idleShutdownAfter);
        String minIdleKey = key(pool, FlamePoolConfig.MIN_IDLE_SHUTDOWN_AFTER);
        lookup.get(minIdleKey).flatMap(v -> Durations.parseOrInfinite(minIdleKey, v))
                .ifPresent(b::minIdleShutdownAfter);
        bool(key(pool, FlamePoolConfig.SINGLE_USE)).ifPresent(b::singleUse);
        duration(pool, FlamePoolConfig.TIMEOUT).ifPresent(b::timeout);
        duration(pool, FlamePoolConfig.BOOT_TIMEOUT).ifPresent(b::bootTimeout);
        duration(pool, FlamePoolConfig.SHUTDOWN_TIMEOUT).ifPresent(b::shutdownTimeout);
        lookup.get(key(pool, FlamePoolConfig.BACKEND)).map(String::trim).ifPresent(b::backend);
        return b.build();
    }

    private Optional<java.time.Duration> duration(String pool, String setting) {
        String k = key(pool, setting);
        return lookup.get(k).map(v -> Durations.parse(k, v));
    }

    private Optional<Integer> integer(String k) {
        return lookup.get(k).map(v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new FlameConfigurationException(k, "must be a whole number, was '" + v + "'");
            }
        });
    }

    private Optional<Boolean> bool(String k) {
        return lookup.get(k).map(v -> switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new FlameConfigurationException(k, "must be true or false, was '" + v + "'");
        });
    }
}
