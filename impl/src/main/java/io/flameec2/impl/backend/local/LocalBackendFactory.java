package io.flameec2.impl.backend.local;

import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.config.Setting;
import io.flameec2.impl.config.SettingType;
import io.flameec2.impl.config.Settings;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireFilter;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameBackendFactory;
import java.util.List;

/**
 * The {@code local} backend (FLAME's LocalBackend): runners are in-process, for development and tests.
 * Setting {@code flame.pools.<p>.local.serialize} (default {@code true}) sends every invocation and result
 * through the same serialization and filter as a remote call, so what would fail remotely fails here too.
 */
public final class LocalBackendFactory implements FlameBackendFactory {

    /** The backend's name. */
    public static final String NAME = "local";

    /**
     * Whether invocations and results go through the serialization and filter of a remote call, so what would
     * fail remotely fails here.
     */
    public static final Setting<Boolean> SERIALIZE = Setting.of("serialize", SettingType.BOOLEAN, true,
            "send invocations and results through the serialization of a remote call");
    /** Every setting of the backend, {@code flame.pools.<pool>.local.<name>} or {@code flame.local.<name>}. */
    public static final List<Setting<?>> SETTINGS = List.of(SERIALIZE);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FlameBackend create(BackendContext context) {
        boolean serialize = Settings.backend(context).value(SERIALIZE);
        WireFilter filter = WireFilter.read(ConfigLookup.discover());
        return new LocalBackend(context.pool().name(), serialize ? new WireCodec(filter) : null);
    }
}
