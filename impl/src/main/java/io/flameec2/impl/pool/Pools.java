package io.flameec2.impl.pool;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.FlameRejectedException;
import io.flameec2.event.FlamePoolEvent;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.config.PoolConfigReader;
import io.flameec2.status.PoolStatus;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameBackendFactory;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The application's pools, by name: configured from {@code flame.pools.<name>.*}, backed by the backend that
 * {@code flame.pools.<name>.backend} names (found with {@link ServiceLoader}). One place that turns
 * configuration into running pools.
 */
public final class Pools {

    private static final Logger LOG = Logger.getLogger(Pools.class.getName());

    private final ConfigLookup config;
    private final boolean runnerMode;
    private final Consumer<FlamePoolEvent> events;
    private final PoolTelemetry telemetry;
    private final String parentId = UUID.randomUUID().toString();
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Map<String, FlameBackendFactory> factories = new TreeMap<>();
    private volatile State state = State.RUNNING;

    /** Where the pools are in their life: running until the application stops. */
    public enum State {
        RUNNING, SHUTTING_DOWN, TERMINATED
    }

    /** A pool was asked for after its application began to stop. */
    public static final class StoppedException extends FlameRejectedException {
        private static final long serialVersionUID = 1L;
        private final transient State state;

        StoppedException(String pool, State state) {
            super("pool '" + pool + "' is shut down: its application is stopping", null);
            this.state = state;
        }

        /**
         * Where the pools were when the pool was asked for.
         *
         * @return shutting down or terminated
         */
        public State state() {
            return state;
        }
    }

    /**
     * The pools of one application, none started yet.
     *
     * @param config where the pools' settings come from
     * @param runnerMode whether this JVM is a runner (every pool's {@code min} is then 0)
     * @param events where the pools' events go
     * @param loader the application's class loader, where backends are looked for first
     */
    public Pools(ConfigLookup config, boolean runnerMode, Consumer<FlamePoolEvent> events, ClassLoader loader) {
        this(config, runnerMode, events, loader, PoolTelemetry.NONE);
    }

    /**
     * The pools of one application, none started yet, reporting to telemetry.
     *
     * @param config where the pools' settings come from
     * @param runnerMode whether this JVM is a runner (every pool's {@code min} is then 0)
     * @param events where the pools' events go
     * @param loader the application's class loader, where backends are looked for first
     * @param telemetry what hears the pools' metrics
     */
    public Pools(ConfigLookup config, boolean runnerMode, Consumer<FlamePoolEvent> events, ClassLoader loader,
            PoolTelemetry telemetry) {
        this.telemetry = telemetry;
        this.config = config;
        this.runnerMode = runnerMode;
        this.events = events;
        ServiceLoader.load(FlameBackendFactory.class, loader).forEach(f -> factories.put(f.name(), f));
        ServiceLoader.load(FlameBackendFactory.class, Pools.class.getClassLoader())
                .forEach(f -> factories.putIfAbsent(f.name(), f));
    }

    /**
     * Reads and checks a pool's configuration and backend name without starting anything.
     *
     * @param name the pool
     * @return its configuration, as the pool would run with it
     * @throws FlameConfigurationException naming the key at fault
     */
    public FlamePoolConfig validate(String name) {
        FlamePoolConfig c = new PoolConfigReader(config).read(name);
        if (!factories.containsKey(c.backend())) {
            throw new FlameConfigurationException(FlamePoolConfig.key(name, FlamePoolConfig.BACKEND),
                    "unknown backend '" + c.backend() + "'; known backends: " + factories.keySet());
        }
        // FLAME forces min 0 on runners; spares likewise: a runner's nested pool must not keep runners of its own
        return runnerMode ? c.toBuilder().min(0).spare(0).build() : c;
    }

    /**
     * A pool, started on first use.
     *
     * @param name the pool
     * @return the running pool
     * @throws StoppedException once the application began to stop
     * @throws FlameConfigurationException when the pool's settings are bad
     */
    public Pool get(String name) {
        State now = state;
        if (now != State.RUNNING) {
            // once stopping, a late caller must not start the pool again (and boot runners nobody stops)
            throw new StoppedException(name, now);
        }
        return pools.computeIfAbsent(name, this::start);
    }

    /**
     * Whether this JVM is a runner.
     *
     * @return {@code true} on a runner
     */
    public boolean runnerMode() {
        return runnerMode;
    }

    /**
     * Starts the named pools, all or none. Every backend is created first, and creating a backend is where it
     * checks its own settings ({@code flame.pools.<name>.ec2.*} and the like, before any network traffic);
     * only when every backend has accepted its settings do the pools start, booting their {@code min}
     * runners. So a bad setting of one pool boots no runner of another, and a deployment that fails on it
     * leaves nothing running.
     *
     * @param names the pools to start; those already started are left as they are
     * @return the configuration error of each pool that could not start, by name; empty when all started
     */
    public Map<String, FlameConfigurationException> startAll(Collection<String> names) {
        Map<String, FlamePoolConfig> configs = new LinkedHashMap<>();
        Map<String, FlameBackend> backends = new LinkedHashMap<>();
        Map<String, FlameConfigurationException> errors = new TreeMap<>();
        try {
            for (String name : names) {
                if (pools.containsKey(name)) {
                    continue;
                }
                try {
                    FlamePoolConfig c = validate(name);
                    backends.put(name, backend(c));
                    configs.put(name, c);
                } catch (FlameConfigurationException e) {
                    errors.put(name, e); // go on: the deployment failure lists every bad pool at once
                }
            }
        } catch (RuntimeException e) {
            backends.values().forEach(Pools::close);
            throw e;
        }
        if (!errors.isEmpty()) {
            backends.values().forEach(Pools::close);
            return errors;
        }
        backends.forEach((name, backend) -> {
            boolean[] taken = {false};
            pools.computeIfAbsent(name, n -> {
                taken[0] = true;
                return engine(configs.get(n), backend);
            });
            if (!taken[0]) {
                close(backend); // a first use started the pool meanwhile, with a backend of its own
            }
        });
        return Map.of();
    }

    /**
     * Whether a pool has been started.
     *
     * @param name the pool
     * @return {@code true} once {@link #get} or {@link #startAll} started it
     */
    public boolean started(String name) {
        return pools.containsKey(name);
    }

    private Pool start(String name) {
        FlamePoolConfig c = validate(name);
        return engine(c, backend(c));
    }

    private FlameBackend backend(FlamePoolConfig c) {
        BackendContext context = new ConfigBackendContext(c, config, parentId);
        return factories.get(c.backend()).create(context);
    }

    private Pool engine(FlamePoolConfig c, FlameBackend backend) {
        Pool pool = new FlamePoolEngine(c, backend, events, telemetry);
        LOG.info(() -> "flame pool '" + c.name() + "' started: backend " + c.backend() + ", min " + c.min()
                + ", max " + c.max() + ", spare " + c.spare() + ", max-concurrency " + c.maxConcurrency());
        return pool;
    }

    private static void close(FlameBackend backend) {
        try {
            backend.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing an unused flame backend failed", e);
        }
    }

    /**
     * The status of every started pool.
     *
     * @return sorted by name
     */
    public List<PoolStatus> statuses() {
        return pools.values().stream().map(Pool::status).sorted(Comparator.comparing(PoolStatus::name)).toList();
    }

    /**
     * Where the pools are in their life.
     *
     * @return the state
     */
    public State state() {
        return state;
    }

    /** Shuts every pool down, waiting up to 2 minutes for their runners to stop; no pool starts after it. */
    public void shutdown() {
        state = State.SHUTTING_DOWN;
        CompletableFuture<?>[] all = pools.values().stream().map(Pool::shutdown).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            LOG.warning("flame pools did not all stop within 2 minutes: " + e);
        }
        pools.clear();
        state = State.TERMINATED;
    }
}
