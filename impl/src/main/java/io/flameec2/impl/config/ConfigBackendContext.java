package io.flameec2.impl.config;

import io.flameec2.FlamePoolConfig;
import io.flameec2.spi.BackendContext;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link BackendContext} of a pool over a {@link ConfigLookup}: the one place of the rule that a backend
 * setting is read from {@code flame.pools.<pool>.<backend>.<key>}, falling back to {@code flame.<backend>.<key>}.
 *
 * @param pool the pool's configuration; its {@code backend} names the settings' prefix
 * @param config where values come from
 * @param parentId the id of this parent
 */
public record ConfigBackendContext(FlamePoolConfig pool, ConfigLookup config, String parentId)
        implements BackendContext {

    /**
     * A context over a map of full keys, for tests and programmatic use.
     *
     * @param pool the pool's configuration
     * @param values values by full key
     * @param parentId the id of this parent
     * @return the context
     */
    public static ConfigBackendContext of(FlamePoolConfig pool, Map<String, String> values, String parentId) {
        return new ConfigBackendContext(pool, ConfigLookup.of(values), parentId);
    }

    @Override
    public Optional<String> setting(String key) {
        return config.get(settingKey(key)).or(() -> config.get(backendDefaultKey(pool.backend(), key)));
    }

    /**
     * The key every pool of a backend falls back to when its own {@link #settingKey} is not set.
     *
     * @param backend the backend's name, such as {@code ec2}
     * @param key the setting, such as {@code image-id}
     * @return {@code flame.<backend>.<key>}
     */
    public static String backendDefaultKey(String backend, String key) {
        return "flame." + backend + "." + key;
    }

    @Override
    public String settingKey(String key) {
        return FlamePoolConfig.key(pool.name(), pool.backend() + "." + key);
    }
}
