package io.flameec2.impl.backend.process;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.remote.RemoteBackend;
import io.flameec2.impl.remote.RemoteSettings;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameBackendFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code process} backend: every runner is its own Open Liberty server process on this machine, booted
 * from the same runner bundle an EC2 instance downloads, so it exercises the whole remote path (join token,
 * the runner channel from loopback, calls, heartbeats, drain) minus the cloud. Settings
 * ({@code flame.pools.<p>.process.<key>}, else {@code flame.process.<key>}): {@code bundle} (required: the
 * Liberty server package zip) and {@code java-home} (default: this JVM's).
 */
public final class ProcessBackendFactory implements FlameBackendFactory {

    /** The backend's name. */
    public static final String NAME = "process";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FlameBackend create(BackendContext context) {
        String bundleKey = context.settingKey("bundle");
        Path bundle = context.setting("bundle").map(v -> Path.of(v.trim())).orElseThrow(() ->
                new FlameConfigurationException(bundleKey, "is required: the runner bundle (a Liberty server package"
                        + " zip, see liberty-config/README.md) pool '" + context.pool().name() + "' boots runners from"));
        if (!Files.isRegularFile(bundle) || !Files.isReadable(bundle)) {
            throw new FlameConfigurationException(bundleKey, "no readable file at " + bundle.toAbsolutePath());
        }
        String javaKey = context.settingKey("java-home");
        Path javaHome = context.setting("java-home").map(v -> Path.of(v.trim()))
                .orElse(Path.of(System.getProperty("java.home")));
        if (!Files.isExecutable(javaHome.resolve("bin/java"))) {
            throw new FlameConfigurationException(javaKey, "no bin/java under " + javaHome);
        }
        return new RemoteBackend(context, new ProcessLauncher(context.pool().name(), bundle, javaHome),
                RemoteSettings.fromConfig());
    }

}
