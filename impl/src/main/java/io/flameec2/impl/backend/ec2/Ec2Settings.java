package io.flameec2.impl.backend.ec2;

import static io.flameec2.impl.config.SettingType.BOOLEAN;
import static io.flameec2.impl.config.SettingType.DURATION;
import static io.flameec2.impl.config.SettingType.HTTP_URL;
import static io.flameec2.impl.config.SettingType.INTEGER;
import static io.flameec2.impl.config.SettingType.LIST;
import static io.flameec2.impl.config.SettingType.PAIRS;
import static io.flameec2.impl.config.SettingType.TEXT;
import static io.flameec2.impl.config.SettingType.URL;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.config.Setting;
import io.flameec2.impl.config.SettingType;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The EC2 settings of one pool, read from {@code flame.pools.<pool>.ec2.<key>} with the global defaults
 * {@code flame.ec2.<key>}. Immutable; every invariant is checked when it is built and an error names the key.
 * Each setting is declared here once ({@link #SETTINGS}: key, type, default, meaning) and read by
 * {@link Ec2SettingsReader}.
 *
 * @param pool the pool these settings belong to (for error messages and tags)
 * @param app the application name runners are tagged with ({@code flame:app}); orphan clean-up is scoped to it
 * @param imageId the AMI to boot, unless the launch template names one
 * @param launchTemplateId a launch template holding the instance settings
 * @param launchTemplateVersion the template version ({@code $Default} when absent)
 * @param instanceTypes instance types to try in order; the next one is used on InsufficientInstanceCapacity.
 *     Empty only with a launch template (the template decides)
 * @param subnetIds subnets to try in order, also on capacity errors; empty for the default subnet / template
 * @param securityGroupIds security groups of the runner; they must let runners reach the parent's channel port
 * @param iamInstanceProfile the instance profile, by name or ARN
 * @param keyName an SSH key pair, for debugging runners
 * @param region the AWS region; absent for the SDK's default region chain
 * @param endpoint an EC2 endpoint override (tests, VPC endpoints)
 * @param s3Endpoint an S3 endpoint override for presigning the bundle URL
 * @param imdsEndpoint an instance metadata endpoint override for {@code auto-configure}
 * @param tags extra tags for every runner instance
 * @param env extra environment variables for the runner's JVM
 * @param bundleUrl where runners download the application bundle: {@code s3://bucket/key} (presigned by the
 *     parent), {@code s3://bucket/prefix/} (the parent uploads its own bundle under it, see
 *     {@link #bundlePrefix()}) or {@code https://} (used as is)
 * @param javaPackage the OS package installing Java when the image has none; absent to pick per distribution
 * @param autoConfigure whether missing settings are copied from the parent's own instance (IMDSv2)
 * @param runnerPort the HTTP port of the runner's Liberty server (on loopback: FlameEC2 needs no inbound port)
 * @param terminateOrphans whether this parent terminates runner instances of this app and pool whose lease
 *     expired (their parent died or hung without stopping them)
 * @param verifyJoinAddress whether a runner must join the parent from its instance's private address (a token
 *     stolen from user-data is then worthless elsewhere); off when runners reach the parent through NAT
 * @param parentAddress the parent's private IPv4 learnt by {@code auto-configure}, if any
 * @param bundleSha256 the SHA-256 (64 lower-case hex digits) the downloaded bundle must have, checked by the
 *     user-data before unpacking; absent for no check
 * @param leaseDuration how long a runner instance is safe from other parents' orphan clean-up after its parent
 *     last refreshed its {@value #TAG_LEASE_UNTIL} tag; the parent refreshes every third of it
 * @param markets the purchase options to launch with, in the order to try: the next one is used when EC2 has no
 *     capacity in one ({@link Ec2Launcher}); never empty, each at most once
 */
public record Ec2Settings(
        String pool,
        String app,
        Optional<String> imageId,
        Optional<String> launchTemplateId,
        Optional<String> launchTemplateVersion,
        List<String> instanceTypes,
        List<String> subnetIds,
        List<String> securityGroupIds,
        Optional<String> iamInstanceProfile,
        Optional<String> keyName,
        Optional<String> region,
        Optional<URI> endpoint,
        Optional<URI> s3Endpoint,
        Optional<URI> imdsEndpoint,
        Map<String, String> tags,
        Map<String, String> env,
        URI bundleUrl,
        Optional<String> javaPackage,
        boolean autoConfigure,
        int runnerPort,
        boolean terminateOrphans,
        boolean verifyJoinAddress,
        Optional<String> parentAddress,
        Optional<String> bundleSha256,
        Duration leaseDuration,
        List<Market> markets) {

    /** {@link #app()}: defaults to the application's name ({@link AppName}), else {@link #DEFAULT_APP}. */
    public static final Setting<String> APP = Setting.of("app", TEXT, "the flame:app tag");
    /** {@link #imageId()}; required unless a launch template is set. */
    public static final Setting<String> IMAGE_ID = Setting.of("image-id", TEXT, "the AMI of the runners");
    /** {@link #launchTemplateId()}. */
    public static final Setting<String> LAUNCH_TEMPLATE_ID = Setting.of("launch-template-id", TEXT,
            "a launch template with the instance settings");
    /** {@link #launchTemplateVersion()}. */
    public static final Setting<String> LAUNCH_TEMPLATE_VERSION = Setting.of("launch-template-version", TEXT,
            "the launch template's version");
    /** {@link #instanceTypes()}: a comma-separated list; {@link #DEFAULT_INSTANCE_TYPE} without a template. */
    public static final Setting<List<String>> INSTANCE_TYPE = Setting.of("instance-type", LIST,
            "instance types, tried in order on capacity errors");
    /** {@link #subnetIds()}: a comma-separated list. */
    public static final Setting<List<String>> SUBNET_ID = Setting.of("subnet-id", LIST,
            "subnets, tried in order on capacity errors");
    /** {@link #securityGroupIds()}: a comma-separated list. */
    public static final Setting<List<String>> SECURITY_GROUP_IDS = Setting.of("security-group-ids", LIST,
            "security groups of the runners");
    /** {@link #iamInstanceProfile()}. */
    public static final Setting<String> IAM_INSTANCE_PROFILE = Setting.of("iam-instance-profile", TEXT,
            "the runners' instance profile, name or ARN");
    /** {@link #keyName()}. */
    public static final Setting<String> KEY_NAME = Setting.of("key-name", TEXT, "an SSH key pair");
    /** {@link #region()}. */
    public static final Setting<String> REGION = Setting.of("region", TEXT, "the AWS region");
    /** {@link #endpoint()}. */
    public static final Setting<URI> ENDPOINT = Setting.of("endpoint", HTTP_URL, "an EC2 endpoint override");
    /** {@link #s3Endpoint()}. */
    public static final Setting<URI> S3_ENDPOINT = Setting.of("s3-endpoint", HTTP_URL, "an S3 endpoint override");
    /** {@link #imdsEndpoint()}. */
    public static final Setting<URI> IMDS_ENDPOINT = Setting.of("imds-endpoint", HTTP_URL,
            "an instance metadata endpoint override");
    /** {@link #tags()}: {@code k=v,k2=v2}. */
    public static final Setting<Map<String, String>> TAGS = Setting.of("tags", PAIRS, Map.of(),
            "tags added to every runner instance");
    /** {@link #env()}: {@code K=V,K2=V2}, {@code FLAME_*} reserved. */
    public static final Setting<Map<String, String>> ENV = Setting.of("env", SettingType.ENV, Map.of(),
            "extra environment of the runner JVM");
    /** {@link #bundleUrl()}; required. */
    public static final Setting<URI> BUNDLE_URL = Setting.of("bundle-url", URL, "the Liberty server package");
    /** {@link #javaPackage()}. */
    public static final Setting<String> JAVA_PACKAGE = Setting.of("java-package", TEXT,
            "the OS package installing Java when the image has none");
    /** {@link #autoConfigure()}. */
    public static final Setting<Boolean> AUTO_CONFIGURE = Setting.of("auto-configure", BOOLEAN, false,
            "copy unset settings from the parent's instance");
    /** {@link #runnerPort()}. */
    public static final Setting<Integer> RUNNER_PORT = Setting.of("runner-port", INTEGER, 9080,
            "the HTTP port of the runner's Liberty server, on loopback");
    /** {@link #terminateOrphans()}. */
    public static final Setting<Boolean> TERMINATE_ORPHANS = Setting.of("terminate-orphans", BOOLEAN, true,
            "terminate instances of this app and pool whose lease has passed");
    /** {@link #verifyJoinAddress()}. */
    public static final Setting<Boolean> VERIFY_JOIN_ADDRESS = Setting.of("verify-join-address", BOOLEAN, true,
            "a runner must join from its instance's private address");
    /** {@link #bundleSha256()}. */
    public static final Setting<String> BUNDLE_SHA256 = Setting.of("bundle-sha256", TEXT,
            "the package's SHA-256");
    /**
     * {@link #leaseDuration()}. Default: refreshed every minute, a lease survives two failed refreshes
     * (throttling, an API hiccup) before another parent may take the runner for an orphan, and an orphan is
     * gone at most 4 minutes after its parent died.
     */
    public static final Setting<Duration> LEASE_DURATION = Setting.of("lease-duration", DURATION,
            Duration.ofMinutes(3), "how long an instance is safe from other parents' orphan clean-up");
    /**
     * {@link #markets()}: {@code spot}, {@code on-demand}, or both in the order to try. On-demand by default: spot
     * runners can be taken back mid-call, which an application must choose knowingly.
     */
    public static final Setting<List<Market>> MARKET = Setting.of("market", Market.LIST, List.of(Market.ON_DEMAND),
            "purchase options, tried in order on capacity errors");
    /** Every EC2 setting, {@code flame.pools.<pool>.ec2.<name>} or {@code flame.ec2.<name>}. */
    public static final List<Setting<?>> SETTINGS = List.of(APP, IMAGE_ID, LAUNCH_TEMPLATE_ID,
            LAUNCH_TEMPLATE_VERSION, INSTANCE_TYPE, SUBNET_ID, SECURITY_GROUP_IDS, IAM_INSTANCE_PROFILE, KEY_NAME,
            REGION, ENDPOINT, S3_ENDPOINT, IMDS_ENDPOINT, TAGS, ENV, BUNDLE_URL, JAVA_PACKAGE, AUTO_CONFIGURE,
            RUNNER_PORT, TERMINATE_ORPHANS, VERIFY_JOIN_ADDRESS, BUNDLE_SHA256, LEASE_DURATION, MARKET);

    /**
     * Whether {@link #bundleUrl()} is an S3 prefix ({@code s3://bucket/prefix/}, ending in {@code /}) under which
     * the parent uploads its own bundle, rather than a bundle to download.
     *
     * @return {@code true} for a prefix
     */
    public boolean bundlePrefix() {
        return isPrefix(bundleUrl);
    }

    private static boolean isPrefix(URI url) {
        return "s3".equalsIgnoreCase(url.getScheme()) && url.getPath() != null && url.getPath().endsWith("/");
    }


    /**
     * Default of {@link #instanceTypes()}: 2 vCPU (burstable) and 2 GiB. An Open Liberty runner with CDI,
     * REST and the application needs 300-500 MB of heap plus the OS; t3.nano/micro (0.5/1 GiB) swap or
     * get OOM-killed, and a JVM boots markedly slower on one vCPU.
     */
    public static final String DEFAULT_INSTANCE_TYPE = "t3.small";
    /**
     * Default of {@link #app()} when the application's own name cannot be found (outside a Jakarta EE
     * container); {@link Ec2SettingsReader} normally defaults to the application's name (see {@link AppName}).
     */
    public static final String DEFAULT_APP = "flame";
    /** The shortest {@link #leaseDuration()}: a refresh every 5 s is already a CreateTags call per 5 s per parent. */
    public static final Duration MIN_LEASE_DURATION = Duration.ofSeconds(15);

    /** Tag naming the application. */
    public static final String TAG_APP = "flame:app";
    /** Tag naming the pool. */
    public static final String TAG_POOL = "flame:pool";
    /** Tag naming the parent that launched the instance. */
    public static final String TAG_PARENT_ID = "flame:parent-id";
    /** Tag naming the runner. */
    public static final String TAG_RUNNER_ID = "flame:runner-id";
    /**
     * Tag holding the instant (ISO-8601, UTC, seconds) until which the instance's parent vouches for it; set at
     * launch and refreshed by the parent. Orphan clean-up only terminates instances whose lease has passed.
     */
    public static final String TAG_LEASE_UNTIL = "flame:lease-until";

    private static final Pattern INSTANCE_TYPE_PATTERN = Pattern.compile("[a-z0-9-]+\\.[a-z0-9-]+");
    private static final Pattern TAG_VALUE = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    /**
     * Checks every invariant; messages name the pool-level key at fault.
     *
     * @throws FlameConfigurationException when a value is missing or invalid
     */
    public Ec2Settings {
        Objects.requireNonNull(pool, "pool");
        app = Objects.requireNonNullElse(app, DEFAULT_APP);
        imageId = Objects.requireNonNullElse(imageId, Optional.empty());
        launchTemplateId = Objects.requireNonNullElse(launchTemplateId, Optional.empty());
        launchTemplateVersion = Objects.requireNonNullElse(launchTemplateVersion, Optional.empty());
        instanceTypes = List.copyOf(instanceTypes);
        subnetIds = List.copyOf(subnetIds);
        securityGroupIds = List.copyOf(securityGroupIds);
        iamInstanceProfile = Objects.requireNonNullElse(iamInstanceProfile, Optional.empty());
        keyName = Objects.requireNonNullElse(keyName, Optional.empty());
        region = Objects.requireNonNullElse(region, Optional.empty());
        endpoint = Objects.requireNonNullElse(endpoint, Optional.empty());
        s3Endpoint = Objects.requireNonNullElse(s3Endpoint, Optional.empty());
        imdsEndpoint = Objects.requireNonNullElse(imdsEndpoint, Optional.empty());
        tags = Map.copyOf(tags);
        env = Map.copyOf(env);
        javaPackage = Objects.requireNonNullElse(javaPackage, Optional.empty());
        parentAddress = Objects.requireNonNullElse(parentAddress, Optional.empty());
        bundleSha256 = Objects.requireNonNullElse(bundleSha256, Optional.<String>empty()).map(v -> v.toLowerCase(Locale.ROOT));
        leaseDuration = Objects.requireNonNullElse(leaseDuration, LEASE_DURATION.defaultValue().orElseThrow());
        markets = List.copyOf(Objects.requireNonNullElse(markets, MARKET.defaultValue().orElseThrow()));

        if (!app.matches("[A-Za-z0-9_.:/=+\\-@]{1,128}")) {
            throw new FlameConfigurationException(key(pool, APP),
                    "must be 1-128 letters, digits or _.:/=+-@ (it becomes the flame:app tag), was '" + app + "'");
        }
        if (imageId.isEmpty() && launchTemplateId.isEmpty()) {
            throw new FlameConfigurationException(key(pool, IMAGE_ID), "is required (or " + globalKey(IMAGE_ID)
                    + " for every ec2 pool) unless "
                    + key(pool, LAUNCH_TEMPLATE_ID) + " is set (or " + key(pool, AUTO_CONFIGURE)
                    + "=true copies the parent's AMI): the AMI runners boot, e.g. ami-0abc1234");
        }
        imageId.ifPresent(v -> requirePrefix(pool, IMAGE_ID, v, "ami-"));
        launchTemplateId.ifPresent(v -> requirePrefix(pool, LAUNCH_TEMPLATE_ID, v, "lt-"));
        if (launchTemplateVersion.isPresent() && launchTemplateId.isEmpty()) {
            throw new FlameConfigurationException(key(pool, LAUNCH_TEMPLATE_VERSION),
                    "needs " + key(pool, LAUNCH_TEMPLATE_ID));
        }
        if (instanceTypes.isEmpty() && launchTemplateId.isEmpty()) {
            throw new FlameConfigurationException(key(pool, INSTANCE_TYPE), "must name at least one type");
        }
        for (String type : instanceTypes) {
            if (!INSTANCE_TYPE_PATTERN.matcher(type).matches()) {
                throw new FlameConfigurationException(key(pool, INSTANCE_TYPE),
                        "must be instance types such as t3.small or 'm7g.large,m6g.large', was '" + type + "'");
            }
        }
        subnetIds.forEach(v -> requirePrefix(pool, SUBNET_ID, v, "subnet-"));
        securityGroupIds.forEach(v -> requirePrefix(pool, SECURITY_GROUP_IDS, v, "sg-"));
        iamInstanceProfile.ifPresent(v -> requireText(pool, IAM_INSTANCE_PROFILE, v));
        keyName.ifPresent(v -> requireText(pool, KEY_NAME, v));
        region.ifPresent(v -> {
            if (!v.matches("[a-z0-9-]+")) {
                throw new FlameConfigurationException(key(pool, REGION),
                        "must be a region such as eu-west-1, was '" + v + "'");
            }
        });
        tags.forEach((k, v) -> {
            if (k.isBlank() || k.length() > 128 || k.startsWith("aws:") || k.startsWith("flame:")
                    || k.equals("Name") || !TAG_VALUE.matcher(k).matches()) {
                throw new FlameConfigurationException(key(pool, TAGS), "tag key '" + k
                        + "' is invalid or reserved (aws:*, flame:*, Name are set by the backend)");
            }
            if (v.length() > 256 || !TAG_VALUE.matcher(v).matches()) {
                throw new FlameConfigurationException(key(pool, TAGS), "tag '" + k + "' has an invalid value");
            }
        });
        env.forEach((k, v) -> {
            SettingType.requireEnvName(key(pool, ENV), k);
            if (!safeEnvValue(v)) {
                throw new FlameConfigurationException(key(pool, ENV),
                        "the value of '" + k + "' must not contain quotes, backslashes or control characters");
            }
        });
        if (bundleUrl == null) {
            throw new FlameConfigurationException(key(pool, BUNDLE_URL), "is required (or "
                    + globalKey(BUNDLE_URL) + " for every ec2 pool): where runners download the Liberty server"
                    + " package of this application, e.g. s3://my-bucket/app/runner.zip");
        }
        String scheme = Optional.ofNullable(bundleUrl.getScheme()).orElse("").toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "s3" -> {
                if (bundleUrl.getHost() == null || bundleUrl.getPath() == null || bundleUrl.getPath().isEmpty()) {
                    throw new FlameConfigurationException(key(pool, BUNDLE_URL),
                            "must be s3://bucket/key, or s3://bucket/prefix/ for the parent to upload its own, was '"
                                    + bundleUrl + "'");
                }
            }
            case "https" -> {
                if (bundleUrl.getHost() == null) {
                    throw new FlameConfigurationException(key(pool, BUNDLE_URL), "has no host: '" + bundleUrl + "'");
                }
            }
            // plain http would let anyone on the path swap the code every runner executes as its service user
            default -> throw new FlameConfigurationException(key(pool, BUNDLE_URL),
                    "must be s3://bucket/key (presigned by the parent) or an https:// URL, was '" + bundleUrl + "'");
        }
        String path = bundleUrl.getPath().toLowerCase(Locale.ROOT);
        if (isPrefix(bundleUrl)) {
            if (bundleSha256.isPresent()) {
                throw new FlameConfigurationException(key(pool, BUNDLE_SHA256), "must not be set with a bundle-url"
                        + " prefix (" + bundleUrl + "): the parent computes the SHA-256 of the bundle it uploads");
            }
        } else if (!path.endsWith(".zip") && !path.endsWith(".tar.gz") && !path.endsWith(".tgz")) {
            throw new FlameConfigurationException(key(pool, BUNDLE_URL),
                    "must name a Liberty server package ending in .zip, .tar.gz or .tgz, was '" + bundleUrl + "'");
        }
        javaPackage.ifPresent(v -> {
            if (!v.matches("[A-Za-z0-9][A-Za-z0-9.+_:-]*")) {
                throw new FlameConfigurationException(key(pool, JAVA_PACKAGE),
                        "must be one package name such as openjdk-17-jre-headless, was '" + v + "'");
            }
        });
        if (runnerPort < 1 || runnerPort > 65535) {
            throw new FlameConfigurationException(key(pool, RUNNER_PORT), "must be a port 1-65535, was " + runnerPort);
        }
        bundleSha256.ifPresent(v -> {
            if (!v.matches("[0-9a-f]{64}")) {
                throw new FlameConfigurationException(key(pool, BUNDLE_SHA256), "must be the bundle's SHA-256 as 64"
                        + " hex digits (sha256sum runner.zip), was '" + v + "'");
            }
        });
        if (markets.isEmpty() || markets.stream().distinct().count() != markets.size()) {
            throw new FlameConfigurationException(key(pool, MARKET),
                    "must name spot, on-demand or both, each once, was " + markets);
        }
        if (leaseDuration.compareTo(MIN_LEASE_DURATION) < 0) {
            throw new FlameConfigurationException(key(pool, LEASE_DURATION), "must be at least "
                    + MIN_LEASE_DURATION.toSeconds() + "s, was " + leaseDuration.toMillis() + " ms");
        }
    }

    /**
     * The settings for logs and errors, with the values of {@link #env()} masked: the pool's {@code env} is where
     * applications hand their runners credentials.
     *
     * @return the settings, {@code env} by name only
     */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "Ec2Settings[", "]");
        for (RecordComponent c : Ec2Settings.class.getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                value = "?";
            }
            if (c.getName().equals(ENV.name())) {
                value = env.keySet().stream().sorted().map(k -> k + "=***").collect(Collectors.joining(",", "{", "}"));
            }
            out.add(c.getName() + "=" + value);
        }
        return out.toString();
    }

    /**
     * How often the parent refreshes the leases of its runners and looks for expired ones: a third of the lease,
     * so a lease outlives two failed refreshes.
     *
     * @return the refresh interval
     */
    public Duration leaseRefreshInterval() {
        return leaseDuration.dividedBy(3);
    }

    /**
     * The pool-level key of an EC2 setting.
     *
     * @param pool the pool
     * @param setting the setting, such as {@link #IMAGE_ID}
     * @return {@code flame.pools.<pool>.ec2.<setting>}
     */
    public static String key(String pool, Setting<?> setting) {
        return FlamePoolConfig.key(pool, "ec2." + setting.name());
    }

    /**
     * The global default key of an EC2 setting, which the pool-level key falls back to. Errors about a missing
     * required setting name it too: applications with one EC2 pool usually set only the global keys.
     *
     * @param setting the setting, such as {@link #IMAGE_ID}
     * @return {@code flame.ec2.<setting>}
     */
    public static String globalKey(Setting<?> setting) {
        return ConfigBackendContext.backendDefaultKey(Ec2BackendFactory.NAME, setting.name());
    }

    /**
     * Whether a value can go into the runner's env file literally (single-quoted).
     *
     * @param value the value
     * @return {@code false} for quotes, backslashes and control characters
     */
    static boolean safeEnvValue(String value) {
        return value.chars().noneMatch(c -> c == '\'' || c == '"' || c == '\\' || Character.isISOControl(c));
    }

    private static void requirePrefix(String pool, Setting<?> setting, String value, String prefix) {
        if (!value.startsWith(prefix) || value.length() == prefix.length() || !value.matches("[A-Za-z0-9-]+")) {
            throw new FlameConfigurationException(key(pool, setting),
                    "must be ids starting with '" + prefix + "', was '" + value + "'");
        }
    }

    private static void requireText(String pool, Setting<?> setting, String value) {
        if (value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
            throw new FlameConfigurationException(key(pool, setting), "must not be blank or contain spaces");
        }
    }
}
