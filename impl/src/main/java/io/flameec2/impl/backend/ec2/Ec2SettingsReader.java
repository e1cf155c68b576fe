package io.flameec2.impl.backend.ec2;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.config.Durations;
import io.flameec2.spi.BackendContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Reads {@link Ec2Settings} from a pool's {@link BackendContext} ({@code flame.pools.<pool>.ec2.<key>}, then
 * {@code flame.ec2.<key>}). With {@code auto-configure=true}, settings left unset are copied from the parent's
 * own instance: AMI (unless a launch template is set), instance type, subnet, security groups, instance
 * profile, region, and the parent's private IP.
 */
public final class Ec2SettingsReader {

    private static final Logger LOG = Logger.getLogger(Ec2SettingsReader.class.getName());

    private final Function<URI, InstanceMetadata> metadata;
    private final Supplier<Optional<String>> appName;

    /**
     * A reader that asks the real instance metadata service when {@code auto-configure} is on and defaults
     * {@code app} to the application's name ({@link AppName}).
     */
    public Ec2SettingsReader() {
        this(InstanceMetadata::fetch);
    }

    /**
     * A reader with another metadata source, for tests.
     *
     * @param metadata reads the metadata from the given endpoint ({@code null} for the default)
     */
    public Ec2SettingsReader(Function<URI, InstanceMetadata> metadata) {
        this(metadata, AppName::detect);
    }

    /**
     * A reader with other metadata and application name sources, for tests.
     *
     * @param metadata reads the metadata from the given endpoint ({@code null} for the default)
     * @param appName the application's name when {@code app} is not set, or empty when unknown
     */
    public Ec2SettingsReader(Function<URI, InstanceMetadata> metadata, Supplier<Optional<String>> appName) {
        this.metadata = metadata;
        this.appName = appName;
    }

    /**
     * Reads and checks the settings.
     *
     * @param ctx the pool's context
     * @return the settings
     * @throws FlameConfigurationException naming the first missing or invalid key
     */
    public Ec2Settings read(BackendContext ctx) {
        String pool = ctx.pool().name();
        Ec2Settings.Builder b = Ec2Settings.builder(pool);
        b.app(text(ctx, Ec2Settings.APP).orElseGet(() -> appName.get().orElseGet(() -> {
            LOG.warning(() -> "pool '" + pool + "': no application name found (not in a Jakarta EE container?);"
                    + " runners are tagged flame:app=" + Ec2Settings.DEFAULT_APP + ", which other applications may"
                    + " share: set " + ctx.settingKey(Ec2Settings.APP) + " or " + Ec2Settings.globalKey(Ec2Settings.APP));
            return Ec2Settings.DEFAULT_APP;
        })));
        text(ctx, Ec2Settings.IMAGE_ID).ifPresent(b::imageId);
        text(ctx, Ec2Settings.LAUNCH_TEMPLATE_ID).ifPresent(b::launchTemplateId);
        text(ctx, Ec2Settings.LAUNCH_TEMPLATE_VERSION).ifPresent(b::launchTemplateVersion);
        list(ctx, Ec2Settings.INSTANCE_TYPE).ifPresent(b::instanceTypes);
        list(ctx, Ec2Settings.SUBNET_ID).ifPresent(b::subnetIds);
        list(ctx, Ec2Settings.SECURITY_GROUP_IDS).ifPresent(b::securityGroupIds);
        text(ctx, Ec2Settings.IAM_INSTANCE_PROFILE).ifPresent(b::iamInstanceProfile);
        text(ctx, Ec2Settings.KEY_NAME).ifPresent(b::keyName);
        text(ctx, Ec2Settings.REGION).ifPresent(b::region);
        uri(ctx, Ec2Settings.ENDPOINT).ifPresent(b::endpoint);
        uri(ctx, Ec2Settings.S3_ENDPOINT).ifPresent(b::s3Endpoint);
        Optional<URI> imds = uri(ctx, Ec2Settings.IMDS_ENDPOINT);
        imds.ifPresent(b::imdsEndpoint);
        pairs(ctx, Ec2Settings.TAGS).ifPresent(b::tags);
        pairs(ctx, Ec2Settings.ENV).ifPresent(b::env);
        uri(ctx, Ec2Settings.BUNDLE_URL).ifPresent(b::bundleUrl);
        text(ctx, Ec2Settings.JAVA_PACKAGE).ifPresent(b::javaPackage);
        text(ctx, Ec2Settings.RUNNER_PORT).ifPresent(v -> b.runnerPort(integer(ctx, Ec2Settings.RUNNER_PORT, v)));
        bool(ctx, Ec2Settings.TERMINATE_ORPHANS).ifPresent(b::terminateOrphans);
        bool(ctx, Ec2Settings.VERIFY_JOIN_ADDRESS).ifPresent(b::verifyJoinAddress);
        text(ctx, Ec2Settings.BUNDLE_SHA256).ifPresent(b::bundleSha256);
        text(ctx, Ec2Settings.LEASE_DURATION).ifPresent(v -> b.leaseDuration(
                Durations.parse(ctx.settingKey(Ec2Settings.LEASE_DURATION), v)));
        boolean auto = bool(ctx, Ec2Settings.AUTO_CONFIGURE).orElse(false);
        b.autoConfigure(auto);
        if (auto) {
            InstanceMetadata md;
            try {
                md = metadata.apply(imds.orElse(null));
            } catch (RuntimeException e) {
                throw new FlameConfigurationException(ctx.settingKey(Ec2Settings.AUTO_CONFIGURE),
                        "is true but the instance metadata service (IMDSv2) could not be read; is the parent"
                                + " running on EC2 with metadata enabled? " + e.getMessage());
            }
            if (text(ctx, Ec2Settings.IMAGE_ID).isEmpty() && text(ctx, Ec2Settings.LAUNCH_TEMPLATE_ID).isEmpty()) {
                b.imageId(md.imageId());
            }
            if (list(ctx, Ec2Settings.INSTANCE_TYPE).isEmpty() && text(ctx, Ec2Settings.LAUNCH_TEMPLATE_ID).isEmpty()) {
                b.instanceTypes(List.of(md.instanceType()));
            }
            if (list(ctx, Ec2Settings.SUBNET_ID).isEmpty()) {
                b.subnetIds(List.of(md.subnetId()));
            }
            if (list(ctx, Ec2Settings.SECURITY_GROUP_IDS).isEmpty()) {
                b.securityGroupIds(md.securityGroupIds());
            }
            if (text(ctx, Ec2Settings.IAM_INSTANCE_PROFILE).isEmpty()) {
                md.iamInstanceProfileArn().ifPresent(b::iamInstanceProfile);
            }
            if (text(ctx, Ec2Settings.REGION).isEmpty()) {
                b.region(md.region());
            }
            b.parentAddress(md.localIpv4());
        }
        return b.build();
    }

    private static Optional<String> text(BackendContext ctx, String key) {
        return ctx.setting(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static Optional<List<String>> list(BackendContext ctx, String key) {
        return text(ctx, key).map(v -> Arrays.stream(v.split(",")).map(String::trim).toList()).map(items -> {
            if (items.stream().anyMatch(String::isEmpty)) {
                throw new FlameConfigurationException(ctx.settingKey(key),
                        "must be a comma-separated list without empty items, was '" + ctx.setting(key).orElse("") + "'");
            }
            return items;
        });
    }

    private static Optional<Map<String, String>> pairs(BackendContext ctx, String key) {
        return text(ctx, key).map(v -> {
            Map<String, String> out = new LinkedHashMap<>();
            for (String item : v.split(",")) {
                int eq = item.indexOf('=');
                String name = eq < 0 ? "" : item.substring(0, eq).trim();
                if (name.isEmpty()) {
                    throw new FlameConfigurationException(ctx.settingKey(key),
                            "must be comma-separated name=value pairs, got '" + item.trim() + "'");
                }
                if (out.put(name, item.substring(eq + 1).trim()) != null) {
                    throw new FlameConfigurationException(ctx.settingKey(key), "names '" + name + "' twice");
                }
            }
            return out;
        });
    }

    private static Optional<URI> uri(BackendContext ctx, String key) {
        return text(ctx, key).map(v -> {
            try {
                return new URI(v);
            } catch (URISyntaxException e) {
                throw new FlameConfigurationException(ctx.settingKey(key), "is not a valid URL: " + e.getMessage());
            }
        });
    }

    private static Optional<Boolean> bool(BackendContext ctx, String key) {
        return text(ctx, key).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new FlameConfigurationException(ctx.settingKey(key),
                    "must be true or false, was '" + v + "'");
        });
    }

    private static int integer(BackendContext ctx, String key, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new FlameConfigurationException(ctx.settingKey(key), "must be a whole number, was '" + v + "'");
        }
    }
}
