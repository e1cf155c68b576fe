package io.flameec2.it.ec2;

import io.flameec2.FlamePoolConfig;
import io.flameec2.spi.BackendContext;
import java.util.Map;
import java.util.Optional;

/** A {@link BackendContext} over a map of full keys, with the pool-then-global fallback of the real one. */
record SimpleContext(FlamePoolConfig pool, Map<String, String> values, String parentId) implements BackendContext {

    SimpleContext(String pool, Map<String, String> values) {
        this(FlamePoolConfig.builder(pool).max(2).backend("ec2").build(), Map.copyOf(values), "parent-box");
    }

    @Override
    public Optional<String> setting(String key) {
        return Optional.ofNullable(values.get(settingKey(key)))
                .or(() -> Optional.ofNullable(values.get("flame.ec2." + key)));
    }

    @Override
    public String settingKey(String key) {
        return FlamePoolConfig.key(pool.name(), "ec2." + key);
    }
}
