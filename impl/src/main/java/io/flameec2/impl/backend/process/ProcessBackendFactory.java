package io.flameec2.impl.backend.process;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.bundle.DeployedApplication;
import io.flameec2.impl.bundle.LibertyInstallation;
import io.flameec2.impl.remote.AppVersion;
import io.flameec2.impl.remote.RemoteBackend;
import io.flameec2.impl.remote.RemoteSettings;
import io.flameec2.impl.remote.RunnerLauncher;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameBackendFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code process} backend: every runner is its own Open Liberty server process on this machine, booted
 * from the same runner bundle an EC2 instance downloads, so it exercises the whole remote path (join token,
 * the runner channel from loopback, calls, heartbeats, drain) minus the cloud. Settings
 * ({@code flame.pools.<p>.process.<key>}, else {@code flame.process.<key>}): {@code bundle} (a Liberty server
 * package zip; by default, inside Open Liberty, runners run the parent's own deployed WAR with its own Liberty
 * installation, see {@link SelfBuiltServer}), {@code java-home} (default: this JVM's), {@code work-dir} (default:
 * {@code <java.io.tmpdir>/flame-process-<user>}, which must be this user's alone) and {@code env}
 * ({@code K=V,K2=V2}: runners get these and an allow-list of this JVM's environment, nothing else of it).
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
        return new RemoteBackend(context, launcher(context), RemoteSettings.fromConfig());
    }

    /**
     * The launcher of a pool's runner processes, its settings checked (what {@link #create} drives; the
     * hostile-input suite wraps it to point a runner at a fake parent).
     *
     * @param context the pool and its settings
     * @return the launcher
     * @throws FlameConfigurationException naming the key of a bad setting
     */
    public RunnerLauncher launcher(BackendContext context) {
        String bundleKey = context.settingKey("bundle");
        RunnerServerSource source = context.setting("bundle").map(String::trim).filter(v -> !v.isEmpty())
                .map(v -> configuredBundle(context, bundleKey, Path.of(v)))
                .orElseGet(() -> selfBuilt(context, bundleKey));
        String javaKey = context.settingKey("java-home");
        Path javaHome = context.setting("java-home").map(v -> Path.of(v.trim()))
                .orElse(Path.of(System.getProperty("java.home")));
        if (!Files.isExecutable(javaHome.resolve("bin/java"))) {
            throw new FlameConfigurationException(javaKey, "no bin/java under " + javaHome);
        }
        String workKey = context.settingKey(ProcessWorkDir.KEY);
        Path workDir = context.setting(ProcessWorkDir.KEY).map(v -> Path.of(v.trim()).toAbsolutePath())
                .orElseGet(ProcessWorkDir::defaultDir);
        ProcessWorkDir.prepare(workDir, workKey); // refuse a directory others could change before any runner
        Map<String, String> env = env(context);
        return new ProcessLauncher(context.pool().name(), source, javaHome, workDir, workKey, env, System.getenv());
    }

    private static RunnerServerSource configuredBundle(BackendContext context, String key, Path bundle) {
        if (!Files.isRegularFile(bundle) || !Files.isReadable(bundle)) {
            throw new FlameConfigurationException(key, "no readable file at " + bundle.toAbsolutePath());
        }
        return new UnpackedBundle(context.pool().name(), bundle);
    }

    /** No bundle: runners run this parent's own application with its own Liberty installation. */
    private static RunnerServerSource selfBuilt(BackendContext context, String key) {
        Path wlp = LibertyInstallation.ofThisServer().orElseThrow(() -> new FlameConfigurationException(key,
                "is required outside an Open Liberty server (no " + LibertyInstallation.PROPERTY + " with bin/server"
                        + " to run runners with): the runner bundle (a Liberty server package zip, see"
                        + " liberty-config/README.md) pool '" + context.pool().name() + "' boots runners from"));
        // the deployment's thread: its context class loader is the application's, which knows where its WAR is
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        return new SelfBuiltServer(context.pool().name(), wlp, () -> DeployedApplication.locate(application),
                () -> AppVersion.resolve(RemoteSettings.configLookup()), key);
    }

    /** The pool's {@code env}: {@code K=V,K2=V2}; {@code FLAME_*} and {@code WLP_OUTPUT_DIR} are the backend's. */
    private static Map<String, String> env(BackendContext context) {
        String key = context.settingKey("env");
        Map<String, String> env = new LinkedHashMap<>();
        String text = context.setting("env").map(String::trim).orElse("");
        if (text.isEmpty()) {
            return env;
        }
        for (String item : text.split(",")) {
            int eq = item.indexOf('=');
            String name = eq < 0 ? "" : item.substring(0, eq).trim();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new FlameConfigurationException(key, "must be comma-separated NAME=value pairs, got '"
                        + item.trim() + "'");
            }
            if (name.startsWith("FLAME_") || name.equals("WLP_OUTPUT_DIR") || name.equals("WLP_USER_DIR")
                    || name.equals("JAVA_HOME")) {
                throw new FlameConfigurationException(key, "'" + name + "' is set by the backend (FLAME_*,"
                        + " WLP_OUTPUT_DIR, WLP_USER_DIR; JAVA_HOME is the java-home setting)");
            }
            if (env.put(name, item.substring(eq + 1).trim()) != null) {
                throw new FlameConfigurationException(key, "names '" + name + "' twice");
            }
        }
        return env;
    }

}
