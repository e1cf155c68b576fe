package io.flameec2.impl.backend.ec2;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.backend.process.ProcessWorkDir;
import io.flameec2.impl.bundle.DeployedApplication;
import io.flameec2.impl.bundle.LibertyInstallation;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.remote.AppVersion;
import io.flameec2.impl.remote.RemoteBackend;
import io.flameec2.impl.remote.RemoteSettings;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameBackendFactory;
import java.net.URI;
import java.time.Clock;
import java.nio.file.Path;
import java.util.logging.Logger;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The {@code ec2} backend: runners are EC2 instances started by an {@link Ec2Launcher}, driven by the
 * common {@link RemoteBackend} (join token, channel, heartbeats, calls, boot timeout).
 */
public final class Ec2BackendFactory implements FlameBackendFactory {

    /** The backend's name in {@code flame.pools.<name>.backend}. */
    public static final String NAME = "ec2";
    private static final Logger LOG = Logger.getLogger(Ec2BackendFactory.class.getName());

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FlameBackend create(BackendContext context) {
        Ec2Settings settings = new Ec2SettingsReader().read(context);
        S3Presigner presigner = "s3".equalsIgnoreCase(settings.bundleUrl().getScheme())
                ? Ec2Clients.presigner(settings) : null;
        ApiCallHealth ec2Health = new ApiCallHealth("EC2", Clock.systemUTC());
        Ec2Launcher launcher = new Ec2Launcher(settings, Ec2Clients.ec2(settings, ec2Health), presigner,
                context.parentId(), context.pool().bootTimeout());
        if (settings.bundlePrefix()) {
            ApiCallHealth s3Health = new ApiCallHealth("S3", Clock.systemUTC());
            launcher.selfUploaded(selfUploaded(settings, s3Health)).apiHealth(ec2Health, s3Health);
        } else {
            launcher.apiHealth(ec2Health);
        }
        // A runner is a parent of nested pools at most: it must never sweep its own parent's runners.
        boolean onRunner = "true".equalsIgnoreCase(System.getenv(RunnerEnv.RUNNER));
        // leases are refreshed everywhere, so other parents never take this one's runners for orphans
        boolean reap = settings.terminateOrphans() && !onRunner;
        launcher.startHousekeeping(reap);
        // the app decides which instances this parent may take for orphans: say which one it is
        LOG.info(() -> "pool '" + settings.pool() + "': ec2 runners tagged " + Ec2Settings.TAG_APP + "="
                + settings.app() + ", leases of " + settings.leaseDuration().toSeconds() + " s refreshed every "
                + settings.leaseRefreshInterval().toSeconds() + " s" + (reap ? "; instances of other parents of this"
                + " app and pool are terminated once their lease passed" : "; orphan clean-up off"));
        return new RemoteBackend(context, launcher,
                advertiseInstanceAddress(RemoteSettings.fromConfig(), settings, ConfigLookup.discover()));
    }

    /** A {@code bundle-url} prefix: the parent packages and uploads its own bundle when the pool is created. */
    private static SelfUploadedBundle selfUploaded(Ec2Settings settings, ApiCallHealth health) {
        String key = Ec2Settings.key(settings.pool(), Ec2Settings.BUNDLE_URL);
        Path wlp = LibertyInstallation.ofThisServer().orElseThrow(() -> new FlameConfigurationException(key,
                "is a prefix (" + settings.bundleUrl() + "), for the parent to upload its own bundle, but this parent"
                        + " does not run in an Open Liberty server (no " + LibertyInstallation.PROPERTY + " with"
                        + " bin/server) to make one of: set it to a bundle's s3://bucket/key"));
        // the deployment's thread: its context class loader is the application's, which knows where its WAR is
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        Path workDir = ProcessWorkDir.prepare(ProcessWorkDir.defaultDir(), key);
        return new SelfUploadedBundle(settings, Ec2Clients.s3(settings, health), wlp, workDir,
                () -> DeployedApplication.locate(application), () -> AppVersion.resolve(ConfigLookup.discover()));
    }

    /**
     * With {@code auto-configure}, runners connect to the parent's private address from the instance metadata,
     * unless {@code flame.parent.url} or {@code flame.parent.host} says otherwise (behind NAT, or with several
     * interfaces where the metadata's primary one is not where runners reach the parent). Without it the
     * parent would advertise its first non-loopback IPv4, which on an instance with a container bridge or a
     * second interface may be one runners cannot reach.
     *
     * @param remote the global remote settings
     * @param settings the pool's EC2 settings
     * @param config the configuration, to see whether the parent's address was set
     * @return the settings runners of this pool are given
     */
    static RemoteSettings advertiseInstanceAddress(RemoteSettings remote, Ec2Settings settings, ConfigLookup config) {
        if (settings.parentAddress().isEmpty() || config.get(RemoteSettings.PARENT_URL).isPresent()
                || config.get(RemoteSettings.PARENT_HOST).isPresent()) {
            return remote;
        }
        String ip = settings.parentAddress().get();
        LOG.info(() -> "pool '" + settings.pool() + "': runners connect to this instance's private address " + ip
                + " (auto-configure; set " + RemoteSettings.PARENT_URL + " to change it)");
        return remote.withParentUrl(URI.create("tls://" + (ip.contains(":") ? "[" + ip + "]" : ip)));
    }
}
