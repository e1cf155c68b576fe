package io.flameec2.impl.config;

import io.flameec2.FlamePoolConfig;
import io.flameec2.spi.BackendContext;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Typed access to declared {@link Setting}s of one scope: the global keys, one pool's keys, or one pool's
 * backend keys. Where the text comes from and what its full key is are the scope's; reading, trimming and
 * parsing are done here once, and every error names the full key.
 */
public final class Settings {

    private final Function<String, Optional<String>> text;
    private final UnaryOperator<String> key;

    private Settings(Function<String, Optional<String>> text, UnaryOperator<String> key) {
        this.text = text;
        this.key = key;
    }

    /**
     * The global settings: names are full keys.
     *
     * @param config where values come from
     * @return the settings
     */
    public static Settings global(ConfigLookup config) {
        return new Settings(config::get, name -> name);
    }

    /**
     * The settings of one pool, {@code flame.pools.<pool>.<name>}.
     *
     * @param config where values come from
     * @param pool the pool
     * @return the settings
     */
    public static Settings pool(ConfigLookup config, String pool) {
        return new Settings(name -> config.get(FlamePoolConfig.key(pool, name)), name -> FlamePoolConfig.key(pool, name));
    }

    /**
     * The backend settings of a pool: {@code flame.pools.<pool>.<backend>.<name>}, else
     * {@code flame.<backend>.<name>} (see {@link ConfigBackendContext}).
     *
     * @param context the pool's backend context
     * @return the settings
     */
    public static Settings backend(BackendContext context) {
        return new Settings(context::setting, context::settingKey);
    }

    /**
     * The full key a setting is read from in this scope, for error messages.
     *
     * @param setting the setting
     * @return its key, such as {@code flame.pools.thumbs.ec2.image-id}
     */
    public String key(Setting<?> setting) {
        return key.apply(setting.name());
    }

    /**
     * Whether a setting is set (to more than blanks).
     *
     * @param setting the setting
     * @return {@code true} when it has a value
     */
    public boolean isSet(Setting<?> setting) {
        return text(setting).isPresent();
    }

    /**
     * The value of a setting when it is set.
     *
     * @param setting the setting
     * @param <T> its type
     * @return the value, or empty when not set
     * @throws io.flameec2.FlameConfigurationException naming the key when the value is invalid
     */
    public <T> Optional<T> get(Setting<T> setting) {
        return text(setting).map(v -> setting.type().parse(key(setting), v));
    }

    /**
     * The value of a setting with a default, the default when it is not set.
     *
     * @param setting a setting with a default
     * @param <T> its type
     * @return the value
     * @throws io.flameec2.FlameConfigurationException naming the key when the value is invalid
     * @throws IllegalArgumentException when the setting has no default
     */
    public <T> T value(Setting<T> setting) {
        return get(setting).or(setting::defaultValue).orElseThrow(() ->
                new IllegalArgumentException(setting.name() + " has no default"));
    }

    private Optional<String> text(Setting<?> setting) {
        return text.apply(setting.name()).map(String::trim).filter(v -> !v.isEmpty());
    }
}
