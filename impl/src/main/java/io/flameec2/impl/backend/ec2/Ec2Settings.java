package io.flameec2.impl.backend.ec2;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.remote.RunnerEnv;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The EC2 settings of one pool, read from {@code flame.pools.<pool>.ec2.<key>} with the global defaults
 * {@code flame.ec2.<key>}. Immutable; every invariant is checked when it is built and an error names the key.
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
        Duration leaseDuration) {

    /** Key of {@link #app()}. */
    public static final String APP = "app";
    /** Key of {@link #imageId()}. */
    public static final String IMAGE_ID = "image-id";
    /** Key of {@link #launchTemplateId()}. */
    public static final String LAUNCH_TEMPLATE_ID = "launch-template-id";
    /** Key of {@link #launchTemplateVersion()}. */
    public static final String LAUNCH_TEMPLATE_VERSION = "launch-template-version";
    /** Key of {@link #instanceTypes()}: a comma-separated list. */
    public static final String INSTANCE_TYPE = "instance-type";
    /** Key of {@link #subnetIds()}: a comma-separated list. */
    public static final String SUBNET_ID = "subnet-id";
    /** Key of {@link #securityGroupIds()}: a comma-separated list. */
    public static final String SECURITY_GROUP_IDS = "security-group-ids";
    /** Key of {@link #iamInstanceProfile()}. */
    public static final String IAM_INSTANCE_PROFILE = "iam-instance-profile";
    /** Key of {@link #keyName()}. */
    public static final String KEY_NAME = "key-name";
    /** Key of {@link #region()}. */
    public static final String REGION = "region";
    /** Key of {@link #endpoint()}. */
    public static final String ENDPOINT = "endpoint";
    /** Key of {@link #s3Endpoint()}. */
    public static final String S3_ENDPOINT = "s3-endpoint";
    /** Key of {@link #imdsEndpoint()}. */
    public static final String IMDS_ENDPOINT = "imds-endpoint";
    /** Key of {@link #tags()}: {@code k=v,k2=v2}. */
    public static final String TAGS = "tags";
    /** Key of {@link #env()}: {@code K=V,K2=V2}. */
    public static final String ENV = "env";
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

    /** Key of {@link #bundleUrl()}. */
    public static final String BUNDLE_URL = "bundle-url";
    /** Key of {@link #javaPackage()}. */
    public static final String JAVA_PACKAGE = "java-package";
    /** Key of {@link #autoConfigure()}. */
    public static final String AUTO_CONFIGURE = "auto-configure";
    /** Key of {@link #runnerPort()}. */
    public static final String RUNNER_PORT = "runner-port";
    /** Key of {@link #terminateOrphans()}. */
    public static final String TERMINATE_ORPHANS = "terminate-orphans";
    /** Key of {@link #verifyJoinAddress()}. */
    public static final String VERIFY_JOIN_ADDRESS = "verify-join-address";
    /** Key of {@link #bundleSha256()}. */
    public static final String BUNDLE_SHA256 = "bundle-sha256";
    /** Key of {@link #leaseDuration()}. */
    public static final String LEASE_DURATION = "lease-duration";

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
    /**
     * Default of {@link #leaseDuration()}: refreshed every minute, a lease survives two failed refreshes
     * (throttling, an API hiccup) before another parent may take the runner for an orphan, and an orphan is
     * gone at most 4 minutes after its parent died.
     */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofMinutes(3);
    /** The shortest {@link #leaseDuration()}: a refresh every 5 s is already a CreateTags call per 5 s per parent. */
    public static final Duration MIN_LEASE_DURATION = Duration.ofSeconds(15);
    /** Default of {@link #runnerPort()}. */
    public static final int DEFAULT_RUNNER_PORT = 9080;

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
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern TAG_VALUE = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    private static final Set<String> RESERVED_ENV = reservedEnv();

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
        leaseDuration = Objects.requireNonNullElse(leaseDuration, DEFAULT_LEASE_DURATION);

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
        endpoint.ifPresent(v -> requireHttpUri(pool, ENDPOINT, v));
        s3Endpoint.ifPresent(v -> requireHttpUri(pool, S3_ENDPOINT, v));
        imdsEndpoint.ifPresent(v -> requireHttpUri(pool, IMDS_ENDPOINT, v));
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
            if (!ENV_NAME.matcher(k).matches() || RESERVED_ENV.contains(k)) {
                throw new FlameConfigurationException(key(pool, ENV), "'" + k + "' is not a valid variable name"
                        + " or is reserved (the FLAME_* variables are set by the backend)");
            }
            if (!safeEnvValue(v)) {
                throw new FlameConfigurationException(key(pool, ENV),
                        "the value of '" + k + "' must not contain quotes, backslashes or control characters");
            }
        });
        Objects.requireNonNull(bundleUrl, "bundleUrl");
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
            if (c.getName().equals(ENV)) {
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
    public static String key(String pool, String setting) {
        return FlamePoolConfig.key(pool, "ec2." + setting);
    }

    /**
     * The global default key of an EC2 setting, which the pool-level key falls back to. Errors about a missing
     * required setting name it too: applications with one EC2 pool usually set only the global keys.
     *
     * @param setting the setting, such as {@link #IMAGE_ID}
     * @return {@code flame.ec2.<setting>}
     */
    public static String globalKey(String setting) {
        return ConfigBackendContext.backendDefaultKey(Ec2BackendFactory.NAME, setting);
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

    /**
     * A builder for the given pool, with the defaults.
     *
     * @param pool the pool
     * @return a new builder
     */
    public static Builder builder(String pool) {
        return new Builder(pool);
    }

    /**
     * A builder initialised with these settings.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder(pool);
        b.app = app;
        b.imageId = imageId.orElse(null);
        b.launchTemplateId = launchTemplateId.orElse(null);
        b.launchTemplateVersion = launchTemplateVersion.orElse(null);
        b.instanceTypes = instanceTypes;
        b.subnetIds = subnetIds;
        b.securityGroupIds = securityGroupIds;
        b.iamInstanceProfile = iamInstanceProfile.orElse(null);
        b.keyName = keyName.orElse(null);
        b.region = region.orElse(null);
        b.endpoint = endpoint.orElse(null);
        b.s3Endpoint = s3Endpoint.orElse(null);
        b.imdsEndpoint = imdsEndpoint.orElse(null);
        b.tags = tags;
        b.env = env;
        b.bundleUrl = bundleUrl;
        b.javaPackage = javaPackage.orElse(null);
        b.autoConfigure = autoConfigure;
        b.runnerPort = runnerPort;
        b.terminateOrphans = terminateOrphans;
        b.verifyJoinAddress = verifyJoinAddress;
        b.parentAddress = parentAddress.orElse(null);
        b.bundleSha256 = bundleSha256.orElse(null);
        b.leaseDuration = leaseDuration;
        return b;
    }

    private static void requirePrefix(String pool, String setting, String value, String prefix) {
        if (!value.startsWith(prefix) || value.length() == prefix.length() || !value.matches("[A-Za-z0-9-]+")) {
            throw new FlameConfigurationException(key(pool, setting),
                    "must be ids starting with '" + prefix + "', was '" + value + "'");
        }
    }

    private static void requireText(String pool, String setting, String value) {
        if (value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
            throw new FlameConfigurationException(key(pool, setting), "must not be blank or contain spaces");
        }
    }

    private static void requireHttpUri(String pool, String setting, URI value) {
        String scheme = value.getScheme();
        if (!value.isAbsolute() || value.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new FlameConfigurationException(key(pool, setting),
                    "must be an http(s) URL such as https://ec2.eu-west-1.amazonaws.com, was '" + value + "'");
        }
    }

    private static Set<String> reservedEnv() {
        return Stream.of(RunnerEnv.class.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(Ec2Settings::constant)
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String constant(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds {@link Ec2Settings}; setters return the builder, {@code null} clears an optional value. */
    public static final class Builder {
        private final String pool;
        private String app = DEFAULT_APP;
        private String imageId;
        private String launchTemplateId;
        private String launchTemplateVersion;
        private List<String> instanceTypes = List.of();
        private List<String> subnetIds = List.of();
        private List<String> securityGroupIds = List.of();
        private String iamInstanceProfile;
        private String keyName;
        private String region;
        private URI endpoint;
        private URI s3Endpoint;
        private URI imdsEndpoint;
        private Map<String, String> tags = Map.of();
        private Map<String, String> env = Map.of();
        private URI bundleUrl;
        private String javaPackage;
        private boolean autoConfigure;
        private int runnerPort = DEFAULT_RUNNER_PORT;
        private boolean terminateOrphans = true;
        private boolean verifyJoinAddress = true;
        private String parentAddress;
        private String bundleSha256;
        private Duration leaseDuration = DEFAULT_LEASE_DURATION;

        private Builder(String pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
        }

        /**
         * Sets {@link Ec2Settings#app()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder app(String v) {
            app = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#imageId()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder imageId(String v) {
            imageId = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#launchTemplateId()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder launchTemplateId(String v) {
            launchTemplateId = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#launchTemplateVersion()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder launchTemplateVersion(String v) {
            launchTemplateVersion = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#instanceTypes()}.
         *
         * @param v the value, tried in order
         * @return this builder
         */
        public Builder instanceTypes(List<String> v) {
            instanceTypes = List.copyOf(v);
            return this;
        }

        /**
         * Sets {@link Ec2Settings#subnetIds()}.
         *
         * @param v the value, tried in order
         * @return this builder
         */
        public Builder subnetIds(List<String> v) {
            subnetIds = List.copyOf(v);
            return this;
        }

        /**
         * Sets {@link Ec2Settings#securityGroupIds()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder securityGroupIds(List<String> v) {
            securityGroupIds = List.copyOf(v);
            return this;
        }

        /**
         * Sets {@link Ec2Settings#iamInstanceProfile()}.
         *
         * @param v a profile name or ARN
         * @return this builder
         */
        public Builder iamInstanceProfile(String v) {
            iamInstanceProfile = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#keyName()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder keyName(String v) {
            keyName = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#region()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder region(String v) {
            region = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#endpoint()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder endpoint(URI v) {
            endpoint = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#s3Endpoint()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder s3Endpoint(URI v) {
            s3Endpoint = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#imdsEndpoint()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder imdsEndpoint(URI v) {
            imdsEndpoint = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#tags()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder tags(Map<String, String> v) {
            tags = new LinkedHashMap<>(v);
            return this;
        }

        /**
         * Sets {@link Ec2Settings#env()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder env(Map<String, String> v) {
            env = new LinkedHashMap<>(v);
            return this;
        }

        /**
         * Sets {@link Ec2Settings#bundleUrl()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder bundleUrl(URI v) {
            bundleUrl = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#javaPackage()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder javaPackage(String v) {
            javaPackage = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#autoConfigure()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder autoConfigure(boolean v) {
            autoConfigure = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#runnerPort()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder runnerPort(int v) {
            runnerPort = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#terminateOrphans()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder terminateOrphans(boolean v) {
            terminateOrphans = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#verifyJoinAddress()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder verifyJoinAddress(boolean v) {
            verifyJoinAddress = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#bundleSha256()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder bundleSha256(String v) {
            bundleSha256 = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#leaseDuration()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder leaseDuration(Duration v) {
            leaseDuration = v;
            return this;
        }

        /**
         * Sets {@link Ec2Settings#parentAddress()}.
         *
         * @param v the value
         * @return this builder
         */
        public Builder parentAddress(String v) {
            parentAddress = v;
            return this;
        }

        /**
         * Builds the settings; without instance types and launch template, {@link #DEFAULT_INSTANCE_TYPE}.
         *
         * @return the settings
         * @throws FlameConfigurationException naming the key of the first invalid value
         */
        public Ec2Settings build() {
            if (bundleUrl == null) {
                throw new FlameConfigurationException(key(pool, BUNDLE_URL), "is required (or "
                        + globalKey(BUNDLE_URL) + " for every ec2 pool): where runners download the Liberty server"
                        + " package of this application, e.g. s3://my-bucket/app/runner.zip");
            }
            List<String> types = instanceTypes.isEmpty() && launchTemplateId == null
                    ? List.of(DEFAULT_INSTANCE_TYPE) : instanceTypes;
            return new Ec2Settings(pool, app, Optional.ofNullable(imageId), Optional.ofNullable(launchTemplateId),
                    Optional.ofNullable(launchTemplateVersion), types, subnetIds, securityGroupIds,
                    Optional.ofNullable(iamInstanceProfile), Optional.ofNullable(keyName),
                    Optional.ofNullable(region), Optional.ofNullable(endpoint), Optional.ofNullable(s3Endpoint),
                    Optional.ofNullable(imdsEndpoint), tags, env, bundleUrl, Optional.ofNullable(javaPackage),
                    autoConfigure, runnerPort, terminateOrphans, verifyJoinAddress, Optional.ofNullable(parentAddress),
                    Optional.ofNullable(bundleSha256), leaseDuration);
        }
    }
}
