package io.flameec2.it.process;

import io.flameec2.FlamePoolConfig;
import io.flameec2.event.FlamePoolEvent;
import io.flameec2.impl.backend.process.ProcessBackendFactory;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.spi.BackendContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/** A pool of local Liberty runner processes, with the parent in this JVM (settings as system properties). */
public final class ProcessPool {

    private ProcessPool() {
    }

    public static void parentSettings() {
        // system properties are this JVM's configuration, shared with other test classes: set every key we rely on
        System.clearProperty("flame.app-version"); // the runner bundle's WAR is unversioned, and so is this parent
        System.clearProperty("flame.parent.url");
        System.clearProperty("flame.parent.port");
        System.setProperty("flame.parent.host", "127.0.0.1");
        System.setProperty("flame.heartbeat-interval", "500ms");
        System.setProperty("flame.parent-loss-timeout", "3s");
    }

    public static FlamePoolEngine create(FlamePoolConfig config, Path bundle, Consumer<FlamePoolEvent> events) {
        parentSettings();
        String parentId = "it-" + UUID.randomUUID();
        BackendContext context = ConfigBackendContext.of(config,
                Map.of(FlamePoolConfig.key(config.name(), "process.bundle"), bundle.toString()), parentId);
        return new FlamePoolEngine(config, new ProcessBackendFactory().create(context), events);
    }

    public static FlamePoolConfig.Builder config(String name) {
        return FlamePoolConfig.builder(name).backend("process").max(2).maxConcurrency(8)
                .bootTimeout(Duration.ofMinutes(2)).timeout(Duration.ofMinutes(2)).shutdownTimeout(Duration.ofSeconds(5));
    }
}
