package io.flameec2.impl.config;

import java.util.Map;
import java.util.Optional;

/**
 * Where configuration values come from: MicroProfile Config in a container, a map in tests. Keeping the
 * engine behind this one-method interface lets it run without a container.
 */
@FunctionalInterface
public interface ConfigLookup {

    /**
     * The raw value of a key.
     *
     * @param key the full key, such as {@code flame.pools.default.max}
     * @return the value, or empty when the key is not set (or set to an empty string)
     */
    Optional<String> get(String key);

    /**
     * A lookup over a fixed map, for tests and programmatic use.
     *
     * @param values the values by key
     * @return the lookup
     */
    static ConfigLookup of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return key -> Optional.ofNullable(copy.get(key)).filter(v -> !v.isBlank());
    }

    /**
     * The application's configuration: MicroProfile Config when it is present (in the container), else system
     * properties.
     *
     * @return the lookup
     */
    static ConfigLookup discover() {
        try {
            org.eclipse.microprofile.config.Config c = org.eclipse.microprofile.config.ConfigProvider.getConfig();
            return key -> c.getOptionalValue(key, String.class).filter(v -> !v.isBlank());
        } catch (LinkageError | RuntimeException e) {
            return key -> Optional.ofNullable(System.getProperty(key)).filter(v -> !v.isBlank());
        }
    }
}
