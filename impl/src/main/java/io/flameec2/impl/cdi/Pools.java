package io.flameec2.impl.cdi;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.event.FlamePoolEvent;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.config.PoolConfigReader;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.impl.pool.Pool;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameBackendFactory;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The application's pools, by name: configured from {@code flame.pools.<name>.*}, backed by the backend that
 * {@code flame.pools.<name>.backend} names (found with {@link ServiceLoader}). One place that turns
 * configuration into running pools.
 */
final class Pools {

    private static final Logger LOG = Logger.getLogger(Pools.class.getName());

    private final ConfigLookup config;
    private final boolean runnerMode;
    private final Consumer<FlamePoolEvent> events;
    private final String parentId = UUID.randomUUID().toString();
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Map<String, FlameBackendFactory> factories = new TreeMap<>();

    Pools(ConfigLookup config, boolean runnerMode, Consumer<FlamePoolEvent> events, ClassLoader loader) {
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
     * @throws FlameConfigurationException naming the key at fault
     */
    FlamePoolConfig validate(String name) {
        FlamePoolConfig c = new PoolConfigReader(config).read(name);
        if (!factories.containsKey(c.backend())) {
            throw new FlameConfigurationException(FlamePoolConfig.key(name, FlamePoolConfig.BACKEND),
                    "unknown backend '" + c.backend() + "'; known backends: " + factories.keySet());
        }
        return runnerMode ? c.toBuilder().min(0).build() : c; // FLAME forces min 0 on runners
    }

    Pool get(String name) {
        return pools.computeIfAbsent(name, this::start);
    }

    boolean runnerMode() {
        return runnerMode;
    }

    private Pool start(String name) {
        FlamePoolConfig c = validate(name);
        BackendContext context = new ConfigBackendContext(c, config, parentId);
        Pool pool = new FlamePoolEngine(c, factories.get(c.backend()).create(context), events);
        LOG.info(() -> "flame pool '" + name + "' started: backend " + c.backend() + ", min " + c.min() + ", max "
                + c.max() + ", max-concurrency " + c.maxConcurrency());
        return pool;
    }

    void shutdown() {
        CompletableFuture<?>[] all = pools.values().stream().map(Pool::shutdown).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            LOG.warning("flame pools did not all stop within 2 minutes: " + e);
        }
        pools.clear();
    }
}
