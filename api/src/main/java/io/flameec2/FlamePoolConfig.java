package io.flameec2;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of one pool, with FLAME's options and defaults. Read from MicroProfile Config under
 * {@code flame.pools.<name>.<key>}; the keys are the constants of this type.
 *
 * @param name the pool name
 * @param min runners kept booted, even when idle (default 0: scale to zero); forced to 0 on runners
 * @param max the most runners the pool boots (required, at least 1)
 * @param spare idle runners kept booted above current demand, within {@code max}, so a burst does not wait for
 *     a boot (default 0); forced to 0 on runners
 * @param maxConcurrency the most calls one runner takes at once (default 100)
 * @param idleShutdownAfter how long a runner above {@code min} may sit idle before it is stopped (default 30s)
 * @param minIdleShutdownAfter how long one of the {@code min} runners may sit idle before it is stopped
 *     (default: never)
 * @param singleUse whether a runner is stopped after its first call (default false)
 * @param timeout the default timeout of a call, covering the wait for a slot and the remote work (default 30s)
 * @param bootTimeout how long a runner may take to boot and join its parent (default 30s)
 * @param shutdownTimeout how long a stopping runner may take in all (FLAME's shutdown_timeout): in-flight calls
 *     drain until shortly before it, then are interrupted, and the runner's process is gone by then (default 30s)
 * @param backend the backend's name: {@code local}, {@code process} or {@code ec2} (default {@code local})
 */
public record FlamePoolConfig(
        String name,
        int min,
        int max,
        int spare,
        int maxConcurrency,
        Duration idleShutdownAfter,
        Optional<Duration> minIdleShutdownAfter,
        boolean singleUse,
        Duration timeout,
        Duration bootTimeout,
        Duration shutdownTimeout,
        String backend) {

    /** The prefix of every pool key: {@code flame.pools.<name>.<key>}. */
    public static final String PREFIX = "flame.pools.";
    /** Key of {@link #min()}. */
    public static final String MIN = "min";
    /** Key of {@link #max()}. */
    public static final String MAX = "max";
    /** Key of {@link #spare()}. */
    public static final String SPARE = "spare";
    /** Key of {@link #maxConcurrency()}. */
    public static final String MAX_CONCURRENCY = "max-concurrency";
    /** Key of {@link #idleShutdownAfter()}. */
    public static final String IDLE_SHUTDOWN_AFTER = "idle-shutdown-after";
    /** Key of {@link #minIdleShutdownAfter()}; the value {@code infinity} means never. */
    public static final String MIN_IDLE_SHUTDOWN_AFTER = "min-idle-shutdown-after";
    /** Key of {@link #singleUse()}. */
    public static final String SINGLE_USE = "single-use";
    /** Key of {@link #timeout()}. */
    public static final String TIMEOUT = "timeout";
    /** Key of {@link #bootTimeout()}. */
    public static final String BOOT_TIMEOUT = "boot-timeout";
    /** Key of {@link #shutdownTimeout()}. */
    public static final String SHUTDOWN_TIMEOUT = "shutdown-timeout";
    /** Key of {@link #backend()}. */
    public static final String BACKEND = "backend";

    /** Default of {@link #maxConcurrency()}. */
    public static final int DEFAULT_MAX_CONCURRENCY = 100;
    /** Default of {@link #min()}: scale to zero. */
    public static final int DEFAULT_MIN = 0;
    /** Default of {@link #spare()}: no spare runners. */
    public static final int DEFAULT_SPARE = 0;
    /** Default of {@link #idleShutdownAfter()}. */
    public static final Duration DEFAULT_IDLE_SHUTDOWN_AFTER = Duration.ofSeconds(30);
    /** Default of {@link #timeout()}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Default of {@link #bootTimeout()}. */
    public static final Duration DEFAULT_BOOT_TIMEOUT = Duration.ofSeconds(30);
    /** Default of {@link #shutdownTimeout()}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** Default of {@link #backend()}. */
    public static final String DEFAULT_BACKEND = "local";

    /**
     * Checks the invariants; every message names the key at fault.
     *
     * @param name the record component
     * @param min the record component
     * @param max the record component
     * @param spare the record component
     * @param maxConcurrency the record component
     * @param idleShutdownAfter the record component
     * @param minIdleShutdownAfter the record component
     * @param singleUse the record component
     * @param timeout the record component
     * @param bootTimeout the record component
     * @param shutdownTimeout the record component
     * @param backend the record component
     * @throws FlameConfigurationException when a value is out of range
     */
    public FlamePoolConfig {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new FlameConfigurationException(PREFIX + "<name>", "a pool name must not be blank");
        }
        if (min < 0) {
            throw new FlameConfigurationException(key(name, MIN), "must be 0 or more, was " + min);
        }
        if (max < 1) {
            throw new FlameConfigurationException(key(name, MAX), "must be 1 or more, was " + max);
        }
        if (min > max) {
            throw new FlameConfigurationException(key(name, MIN),
                    "must not exceed " + key(name, MAX) + " (" + max + "), was " + min);
        }
        if (spare < 0) {
            throw new FlameConfigurationException(key(name, SPARE), "must be 0 or more, was " + spare);
        }
        if (spare > max) {
            throw new FlameConfigurationException(key(name, SPARE),
                    "must not exceed " + key(name, MAX) + " (" + max + "), was " + spare);
        }
        if (maxConcurrency < 1) {
            throw new FlameConfigurationException(key(name, MAX_CONCURRENCY),
                    "must be 1 or more, was " + maxConcurrency);
        }
        requirePositive(name, IDLE_SHUTDOWN_AFTER, idleShutdownAfter);
        Objects.requireNonNull(minIdleShutdownAfter, "minIdleShutdownAfter");
        minIdleShutdownAfter.ifPresent(d -> requirePositive(name, MIN_IDLE_SHUTDOWN_AFTER, d));
        requirePositive(name, TIMEOUT, timeout);
        requirePositive(name, BOOT_TIMEOUT, bootTimeout);
        requirePositive(name, SHUTDOWN_TIMEOUT, shutdownTimeout);
        if (backend == null || backend.isBlank()) {
            throw new FlameConfigurationException(key(name, BACKEND), "must name a backend");
        }
    }

    /**
     * The full configuration key of one setting of a pool.
     *
     * @param pool the pool name
     * @param setting a setting such as {@link #MAX}
     * @return {@code flame.pools.<pool>.<setting>}
     */
    public static String key(String pool, String setting) {
        return PREFIX + pool + "." + setting;
    }

    /**
     * A builder with FLAME's defaults for the named pool; only {@code max} has no default.
     *
     * @param name the pool name
     * @return a new builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * A builder initialised with this configuration, to derive a changed copy.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(name).min(min).max(max).spare(spare).maxConcurrency(maxConcurrency)
                .idleShutdownAfter(idleShutdownAfter).minIdleShutdownAfter(minIdleShutdownAfter.orElse(null))
                .singleUse(singleUse).timeout(timeout).bootTimeout(bootTimeout).shutdownTimeout(shutdownTimeout)
                .backend(backend);
    }

    private static void requirePositive(String pool, String setting, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new FlameConfigurationException(key(pool, setting), "must be a positive duration, was " + value);
        }
    }

    /** Builds a {@link FlamePoolConfig}; setters return the builder. */
    public static final class Builder {
        private final String name;
        private int min = DEFAULT_MIN;
        private int max;
        private int spare = DEFAULT_SPARE;
        private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
        private Duration idleShutdownAfter = DEFAULT_IDLE_SHUTDOWN_AFTER;
        private Duration minIdleShutdownAfter;
        private boolean singleUse;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration bootTimeout = DEFAULT_BOOT_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private String backend = DEFAULT_BACKEND;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Sets {@link FlamePoolConfig#min()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder min(int value) {
            this.min = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#max()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder max(int value) {
            this.max = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#spare()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder spare(int value) {
            this.spare = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#maxConcurrency()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder maxConcurrency(int value) {
            this.maxConcurrency = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#idleShutdownAfter()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder idleShutdownAfter(Duration value) {
            this.idleShutdownAfter = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#minIdleShutdownAfter()}.
         *
         * @param value the value, or {@code null} for never
         * @return this builder
         */
        public Builder minIdleShutdownAfter(Duration value) {
            this.minIdleShutdownAfter = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#singleUse()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder singleUse(boolean value) {
            this.singleUse = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#timeout()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder timeout(Duration value) {
            this.timeout = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#bootTimeout()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder bootTimeout(Duration value) {
            this.bootTimeout = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#shutdownTimeout()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder shutdownTimeout(Duration value) {
            this.shutdownTimeout = value;
            return this;
        }

        /**
         * Sets {@link FlamePoolConfig#backend()}.
         *
         * @param value the backend name
         * @return this builder
         */
        public Builder backend(String value) {
            this.backend = value;
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws FlameConfigurationException when a value is out of range, naming its key
         */
        public FlamePoolConfig build() {
            return new FlamePoolConfig(name, min, max, spare, maxConcurrency, idleShutdownAfter,
                    Optional.ofNullable(minIdleShutdownAfter), singleUse, timeout, bootTimeout, shutdownTimeout,
                    backend);
        }
    }
}
