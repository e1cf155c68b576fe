package io.flameec2.impl.backend.local;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.remote.RemoteSettings;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireFilter;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameBackendFactory;
import java.util.Locale;

/**
 * The {@code local} backend (FLAME's LocalBackend): runners are in-process, for development and tests.
 * Setting {@code flame.pools.<p>.local.serialize} (default {@code true}) sends every invocation and result
 * through the same serialization and filter as a remote call, so what would fail remotely fails here too.
 */
public final class LocalBackendFactory implements FlameBackendFactory {

    /** The backend's name. */
    public static final String NAME = "local";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FlameBackend create(BackendContext context) {
        boolean serialize = context.setting("serialize").map(v -> switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new FlameConfigurationException(context.settingKey("serialize"),
                    "must be true or false, was '" + v + "'");
        }).orElse(true);
        WireFilter filter = WireFilter.read(RemoteSettings.configLookup());
        return new LocalBackend(context.pool().name(), serialize ? new WireCodec(filter) : null);
    }
}
