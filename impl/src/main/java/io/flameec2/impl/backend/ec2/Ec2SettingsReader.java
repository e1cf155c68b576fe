package io.flameec2.impl.backend.ec2;

import static io.flameec2.impl.backend.ec2.Ec2Settings.APP;
import static io.flameec2.impl.backend.ec2.Ec2Settings.AUTO_CONFIGURE;
import static io.flameec2.impl.backend.ec2.Ec2Settings.BUNDLE_SHA256;
import static io.flameec2.impl.backend.ec2.Ec2Settings.BUNDLE_URL;
import static io.flameec2.impl.backend.ec2.Ec2Settings.DEFAULT_INSTANCE_TYPE;
import static io.flameec2.impl.backend.ec2.Ec2Settings.ENDPOINT;
import static io.flameec2.impl.backend.ec2.Ec2Settings.ENV;
import static io.flameec2.impl.backend.ec2.Ec2Settings.IAM_INSTANCE_PROFILE;
import static io.flameec2.impl.backend.ec2.Ec2Settings.IMAGE_ID;
import static io.flameec2.impl.backend.ec2.Ec2Settings.IMDS_ENDPOINT;
import static io.flameec2.impl.backend.ec2.Ec2Settings.INSTANCE_TYPE;
import static io.flameec2.impl.backend.ec2.Ec2Settings.JAVA_PACKAGE;
import static io.flameec2.impl.backend.ec2.Ec2Settings.KEY_NAME;
import static io.flameec2.impl.backend.ec2.Ec2Settings.LAUNCH_TEMPLATE_ID;
import static io.flameec2.impl.backend.ec2.Ec2Settings.LAUNCH_TEMPLATE_VERSION;
import static io.flameec2.impl.backend.ec2.Ec2Settings.LEASE_DURATION;
import static io.flameec2.impl.backend.ec2.Ec2Settings.MARKET;
import static io.flameec2.impl.backend.ec2.Ec2Settings.REGION;
import static io.flameec2.impl.backend.ec2.Ec2Settings.RUNNER_PORT;
import static io.flameec2.impl.backend.ec2.Ec2Settings.S3_ENDPOINT;
import static io.flameec2.impl.backend.ec2.Ec2Settings.SECURITY_GROUP_IDS;
import static io.flameec2.impl.backend.ec2.Ec2Settings.SUBNET_ID;
import static io.flameec2.impl.backend.ec2.Ec2Settings.TAGS;
import static io.flameec2.impl.backend.ec2.Ec2Settings.TERMINATE_ORPHANS;
import static io.flameec2.impl.backend.ec2.Ec2Settings.VERIFY_JOIN_ADDRESS;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.config.Settings;
import io.flameec2.spi.BackendContext;
import java.net.URI;
import java.util.List;
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
        Settings s = Settings.backend(ctx);
        String app = s.get(APP).orElseGet(() -> appName.get().orElseGet(() -> {
            LOG.warning(() -> "pool '" + pool + "': no application name found (not in a Jakarta EE container?);"
                    + " runners are tagged flame:app=" + Ec2Settings.DEFAULT_APP + ", which other applications may"
                    + " share: set " + s.key(APP) + " or " + Ec2Settings.globalKey(APP));
            return Ec2Settings.DEFAULT_APP;
        }));
        Optional<String> imageId = s.get(IMAGE_ID);
        Optional<String> template = s.get(LAUNCH_TEMPLATE_ID);
        List<String> types = s.get(INSTANCE_TYPE).orElse(template.isEmpty() ? List.of(DEFAULT_INSTANCE_TYPE) : List.of());
        List<String> subnets = s.get(SUBNET_ID).orElse(List.of());
        List<String> groups = s.get(SECURITY_GROUP_IDS).orElse(List.of());
        Optional<String> profile = s.get(IAM_INSTANCE_PROFILE);
        Optional<String> region = s.get(REGION);
        Optional<URI> imds = s.get(IMDS_ENDPOINT);
        Optional<String> parentAddress = Optional.empty();
        boolean auto = s.value(AUTO_CONFIGURE);
        if (auto) {
            InstanceMetadata md;
            try {
                md = metadata.apply(imds.orElse(null));
            } catch (RuntimeException e) {
                throw new FlameConfigurationException(s.key(AUTO_CONFIGURE),
                        "is true but the instance metadata service (IMDSv2) could not be read; is the parent"
                                + " running on EC2 with metadata enabled? " + e.getMessage());
            }
            // what is set wins; a launch template decides the image and type itself
            if (imageId.isEmpty() && template.isEmpty()) {
                imageId = Optional.of(md.imageId());
            }
            if (!s.isSet(INSTANCE_TYPE) && template.isEmpty()) {
                types = List.of(md.instanceType());
            }
            subnets = s.isSet(SUBNET_ID) ? subnets : List.of(md.subnetId());
            groups = s.isSet(SECURITY_GROUP_IDS) ? groups : md.securityGroupIds();
            profile = profile.or(md::iamInstanceProfileArn);
            region = region.or(() -> Optional.of(md.region()));
            parentAddress = Optional.of(md.localIpv4());
        }
        return new Ec2Settings(pool, app, imageId, template, s.get(LAUNCH_TEMPLATE_VERSION), types, subnets, groups,
                profile, s.get(KEY_NAME), region, s.get(ENDPOINT), s.get(S3_ENDPOINT), imds, s.value(TAGS),
                s.value(ENV), s.get(BUNDLE_URL).orElse(null), s.get(JAVA_PACKAGE), auto, s.value(RUNNER_PORT),
                s.value(TERMINATE_ORPHANS), s.value(VERIFY_JOIN_ADDRESS), parentAddress, s.get(BUNDLE_SHA256),
                s.value(LEASE_DURATION), s.value(MARKET));
    }
}
