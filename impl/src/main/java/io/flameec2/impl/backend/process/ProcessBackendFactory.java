package io.flameec2.impl.backend.process;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.config.Setting;
import io.flameec2.impl.config.SettingType;
import io.flameec2.impl.config.Settings;
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
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** The runner bundle; required. */
    public static final Setting<String> BUNDLE = Setting.of("bundle", SettingType.TEXT,
            "the runner bundle zip");
    /** The Java runners run on; default: this JVM's. */
    public static final Setting<String> JAVA_HOME = Setting.of("java-home", SettingType.TEXT,
            "the Java runners run on");
    /** Where bundles are unpacked and run from; default {@link ProcessWorkDir#defaultDir()}. */
    public static final Setting<String> WORK_DIR = Setting.of("work-dir", SettingType.TEXT,
            "where bundles are unpacked and run from, this user's alone");
    /** Extra environment of the runners, {@code K=V,K2=V2}. */
    public static final Setting<Map<String, String>> ENV = Setting.of("env", SettingType.ENV, Map.of(),
            "extra environment of the runners");
    /** Whether runner servers are trained once for faster boots ({@link io.flameec2.impl.bundle.RunnerTraining}). */
    public static final Setting<Boolean> TRAIN = Setting.of("train", SettingType.BOOLEAN, true,
            "train each runner server once: a warm workarea and, on Java 25+, an AOT cache");
    /** Every setting of the backend, {@code flame.pools.<pool>.process.<name>} or {@code flame.process.<name>}. */
    public static final List<Setting<?>> SETTINGS = List.of(BUNDLE, JAVA_HOME, WORK_DIR, ENV, TRAIN);

    /** Variables of the runner's environment the backend sets besides {@code FLAME_*}. */
    private static final Set<String> BACKEND_ENV = Set.of("WLP_OUTPUT_DIR", "WLP_USER_DIR", "JAVA_HOME");

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
        Settings s = Settings.backend(context);
        String bundleKey = s.key(BUNDLE);
        RunnerServerSource source = s.get(BUNDLE).map(String::trim).filter(v -> !v.isEmpty())
                .map(v -> configuredBundle(context, bundleKey, Path.of(v)))
                .orElseGet(() -> selfBuilt(context, bundleKey));
        Path javaHome = s.get(JAVA_HOME).map(Path::of).orElse(Path.of(System.getProperty("java.home")));
        if (!Files.isExecutable(javaHome.resolve("bin/java"))) {
            throw new FlameConfigurationException(s.key(JAVA_HOME), "no bin/java under " + javaHome);
        }
        Path workDir = s.get(WORK_DIR).map(v -> Path.of(v).toAbsolutePath()).orElseGet(ProcessWorkDir::defaultDir);
        ProcessWorkDir.prepare(workDir, s.key(WORK_DIR)); // refuse a directory others could change before any runner
        Map<String, String> env = s.value(ENV);
        env.keySet().stream().filter(BACKEND_ENV::contains).findFirst().ifPresent(name -> {
            throw new FlameConfigurationException(s.key(ENV), "'" + name + "' is set by the backend (FLAME_*,"
                    + " WLP_OUTPUT_DIR, WLP_USER_DIR; JAVA_HOME is the java-home setting)");
        });
        return new ProcessLauncher(context.pool().name(), source, javaHome, workDir, s.key(WORK_DIR), env,
                System.getenv(), s.value(TRAIN));
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
                () -> AppVersion.resolve(ConfigLookup.discover()), key);
    }

}
