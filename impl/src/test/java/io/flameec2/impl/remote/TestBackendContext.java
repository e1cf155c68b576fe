package io.flameec2.impl.remote;

import io.flameec2.FlamePoolConfig;
import io.flameec2.spi.BackendContext;
import java.util.Optional;

/** A backend context for one pool, without settings. */
record TestBackendContext(FlamePoolConfig pool) implements BackendContext {

    @Override
    public Optional<String> setting(String key) {
        return Optional.empty();
    }

    @Override
    public String settingKey(String key) {
        return "flame.pools." + pool.name() + ".test." + key;
    }

    @Override
    public String parentId() {
        return "parent-test";
    }
}
