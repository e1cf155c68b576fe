package io.flameec2.spi;

import io.flameec2.FlamePoolConfig;
import java.util.Optional;

/** What a backend gets to know of its pool when it is created. */
public interface BackendContext {

    /**
     * The pool's configuration.
     *
     * @return the configuration
     */
    FlamePoolConfig pool();

    /**
     * A backend setting: {@code flame.pools.<pool>.<backend>.<key>}, falling back to the global default
     * {@code flame.<backend>.<key>}.
     *
     * @param key the setting, such as {@code instance-type}
     * @return the value, or empty when neither key is set
     */
    Optional<String> setting(String key);

    /**
     * The full key under which a setting of this pool is read, for error messages.
     *
     * @param key the setting
     * @return the pool-level key, such as {@code flame.pools.thumbnails.ec2.instance-type}
     */
    String settingKey(String key);

    /**
     * The id of this parent, unique per parent JVM start; remote backends tag runners with it.
     *
     * @return the parent id
     */
    String parentId();
}
