package io.flameec2.impl.backend.ec2;

import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.config.ConfigBackendContext;
import java.util.Map;

/** Backend contexts of an {@code ec2} pool over a map of full keys. */
final class MapBackendContext {

    private MapBackendContext() {
    }

    static ConfigBackendContext of(String pool, Map<String, String> values) {
        return ConfigBackendContext.of(FlamePoolConfig.builder(pool).max(2).backend("ec2").build(), values, "parent-1");
    }
}
