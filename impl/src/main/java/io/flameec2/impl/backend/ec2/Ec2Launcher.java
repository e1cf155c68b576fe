package io.flameec2.impl.backend.ec2;

import io.flameec2.impl.remote.JoinOrigin;
import io.flameec2.impl.remote.RunnerEnv;
import io.flameec2.impl.remote.RunnerLauncher;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputResponse;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Starts each runner as one EC2 instance whose user-data boots the application's Liberty server package (see
 * {@link UserData}). The instance powers itself off when its runner stops and is launched with
 * {@code InstanceInitiatedShutdownBehavior=terminate}; the parent terminates it too when the runner does not
 * join in time, and {@link #terminateOrphans()} cleans up after parents that died.
 */
public final class Ec2Launcher implements RunnerLauncher {

    private static final Logger LOG = Logger.getLogger(Ec2Launcher.class.getName());
    /** Errors after which the next instance type or subnet is tried. */
    private static final Set<String> CAPACITY_ERRORS =
            Set.of("InsufficientInstanceCapacity", "InsufficientFreeAddressesInSubnet");
    private static final Duration ALIVE_CACHE = Duration.ofSeconds(5);
    /** DescribeInstances is eventually consistent: a fresh instance may be unknown for a while. */
    private static final Duration NOT_FOUND_GRACE = Duration.ofSeconds(60);
    private static final int CONSOLE_TAIL_LINES = 40;

    private final Ec2Settings settings;
    private final Ec2Client ec2;
    private final S3Presigner presigner;
    private final String parentId;
    private final Duration bootTimeout;

    /**
     * Creates a launcher; it owns the clients and closes them in {@link #close()}.
     *
     * @param settings the pool's EC2 settings
     * @param ec2 the EC2 client
     * @param presigner presigns {@code s3://} bundle URLs; may be {@code null} for an https bundle URL
     * @param parentId this parent's id, tagged on every instance
     * @param bootTimeout the pool's boot timeout: how long a presigned bundle URL stays valid
     */
    public Ec2Launcher(Ec2Settings settings, Ec2Client ec2, S3Presigner presigner, String parentId,
            Duration bootTimeout) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ec2 = Objects.requireNonNull(ec2, "ec2");
        this.presigner = presigner;
        this.parentId = Objects.requireNonNull(parentId, "parentId");
        this.bootTimeout = Objects.requireNonNull(bootTimeout, "bootTimeout");
        if (presigner == null && "s3".equalsIgnoreCase(settings.bundleUrl().getScheme())) {
            throw new IllegalArgumentException("an s3:// bundle URL needs a presigner");
        }
    }

    /**
     * The settings this launcher uses.
     *
     * @return the settings
     */
    public Ec2Settings settings() {
        return settings;
    }

    @Override
    public LaunchedRunner launch(String runnerId, Map<String, String> env) throws Exception {
        Map<String, String> runnerEnv = new LinkedHashMap<>(settings.env());
        runnerEnv.putAll(env);
        // each runner has an instance of its own: the port is the pool's, not a free one picked per runner
        runnerEnv.putIfAbsent(RunnerEnv.HTTP_PORT, Integer.toString(settings.runnerPort()));
        URI bundle = BundleUrl.resolve(settings.bundleUrl(), presigner, bootTimeout);
        String userData = UserData.base64(UserData.render(runnerId, bundle,
                settings.javaPackage().orElse(null), settings.runnerPort(), runnerEnv));
        List<String> types = settings.instanceTypes().isEmpty() ? nullList() : settings.instanceTypes();
        List<String> subnets = settings.subnetIds().isEmpty() ? nullList() : settings.subnetIds();
        List<String> refused = new ArrayList<>();
        for (String type : types) {
            for (String subnet : subnets) {
                try {
                    Instance instance = ec2.runInstances(request(runnerId, type, subnet, userData))
                            .instances().get(0);
                    LOG.info(() -> "runner " + runnerId + " of pool '" + settings.pool() + "': launched instance "
                            + instance.instanceId() + " (" + instance.instanceTypeAsString() + ", subnet "
                            + instance.subnetId() + ", " + (instance.state() == null ? "?" : instance.state().nameAsString()) + ")");
                    return new Ec2Runner(runnerId, instance.instanceId(), joinOrigin(runnerId, instance), Instant.now());
                } catch (Ec2Exception e) {
                    String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
                    if (!CAPACITY_ERRORS.contains(code)) {
                        LOG.info(() -> "runner " + runnerId + ": RunInstances failed: " + e.getMessage());
                        throw new IllegalStateException("RunInstances for runner " + runnerId + " of pool '"
                                + settings.pool() + "' failed: " + e.getMessage(), e);
                    }
                    String attempt = describeAttempt(type, subnet) + " (" + code + ")";
                    refused.add(attempt);
                    LOG.info(() -> "runner " + runnerId + ": no capacity for " + attempt
                            + ", trying the next instance type or subnet");
                }
            }
        }
        throw new IllegalStateException("no EC2 capacity for runner " + runnerId + " of pool '" + settings.pool()
                + "': tried " + String.join(", ", refused) + "; add fallbacks to "
                + Ec2Settings.key(settings.pool(), Ec2Settings.INSTANCE_TYPE) + " or "
                + Ec2Settings.key(settings.pool(), Ec2Settings.SUBNET_ID));
    }

    /**
     * Terminates runners of this app and pool that an earlier parent launched and left behind (the parent
     * died before stopping them, or their user-data hangs). Only pending and running instances are touched.
     *
     * @return the ids of the instances terminated
     */
    public List<String> terminateOrphans() {
        DescribeInstancesRequest request = DescribeInstancesRequest.builder().filters(
                Filter.builder().name("tag:" + Ec2Settings.TAG_APP).values(settings.app()).build(),
                Filter.builder().name("tag:" + Ec2Settings.TAG_POOL).values(settings.pool()).build(),
                Filter.builder().name("instance-state-name").values("pending", "running").build()).build();
        List<String> orphans = new ArrayList<>();
        for (Instance instance : ec2.describeInstancesPaginator(request).reservations().stream()
                .flatMap(r -> r.instances().stream()).toList()) {
            String owner = instance.tags().stream().filter(t -> Ec2Settings.TAG_PARENT_ID.equals(t.key()))
                    .map(Tag::value).findFirst().orElse("");
            if (!owner.equals(parentId)) {
                orphans.add(instance.instanceId());
            }
        }
        if (orphans.isEmpty()) {
            LOG.info(() -> "pool '" + settings.pool() + "': no orphaned runner instances of app '" + settings.app()
                    + "'");
            return List.of();
        }
        ec2.terminateInstances(b -> b.instanceIds(orphans));
        LOG.info(() -> "pool '" + settings.pool() + "': terminated orphaned runner instances " + orphans
                + " left by earlier parents of app '" + settings.app() + "'");
        return List.copyOf(orphans);
    }

    @Override
    public void close() {
        ec2.close();
        if (presigner != null) {
            presigner.close();
        }
    }

    private RunInstancesRequest request(String runnerId, String type, String subnet, String userData) {
        List<Tag> tags = new ArrayList<>();
        settings.tags().forEach((k, v) -> tags.add(tag(k, v)));
        tags.add(tag("Name", "flame-" + settings.app() + "-" + settings.pool() + "-" + runnerId));
        tags.add(tag(Ec2Settings.TAG_APP, settings.app()));
        tags.add(tag(Ec2Settings.TAG_POOL, settings.pool()));
        tags.add(tag(Ec2Settings.TAG_PARENT_ID, parentId));
        tags.add(tag(Ec2Settings.TAG_RUNNER_ID, runnerId));
        RunInstancesRequest.Builder b = RunInstancesRequest.builder()
                .minCount(1)
                .maxCount(1)
                .userData(userData)
                .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
                .metadataOptions(m -> m.httpTokens(HttpTokensState.REQUIRED)
                        .httpEndpoint(InstanceMetadataEndpointState.ENABLED))
                .tagSpecifications(
                        TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
                        TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build());
        settings.imageId().ifPresent(b::imageId);
        settings.launchTemplateId().ifPresent(id -> b.launchTemplate(
                t -> t.launchTemplateId(id).version(settings.launchTemplateVersion().orElse("$Default"))));
        if (type != null) {
            b.instanceType(type);
        }
        if (subnet != null) {
            b.subnetId(subnet);
        }
        if (!settings.securityGroupIds().isEmpty()) {
            b.securityGroupIds(settings.securityGroupIds());
        }
        settings.iamInstanceProfile().ifPresent(p -> b.iamInstanceProfile(
                p.startsWith("arn:") ? i -> i.arn(p) : i -> i.name(p)));
        settings.keyName().ifPresent(b::keyName);
        return b.build();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    private static List<String> nullList() {
        List<String> one = new ArrayList<>();
        one.add(null);
        return one;
    }

    private static String describeAttempt(String type, String subnet) {
        return (type == null ? "the template's instance type" : type)
                + (subnet == null ? "" : " in " + subnet);
    }

    /** Where the runner on this instance may join from: its private address, unless that check is off. */
    private JoinOrigin joinOrigin(String runnerId, Instance instance) {
        if (!settings.verifyJoinAddress()) {
            return JoinOrigin.any(Ec2Settings.key(settings.pool(), Ec2Settings.VERIFY_JOIN_ADDRESS) + "=false");
        }
        String ip = instance.privateIpAddress();
        if (ip == null || ip.isBlank()) {
            // RunInstances names the address in practice; without it no join could be matched to the instance
            throw new IllegalStateException("RunInstances named no private address for runner " + runnerId
                    + " (instance " + instance.instanceId() + "); set "
                    + Ec2Settings.key(settings.pool(), Ec2Settings.VERIFY_JOIN_ADDRESS) + "=false to accept its join"
                    + " from any address");
        }
        try {
            return JoinOrigin.address(java.net.InetAddress.getByName(ip));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("instance " + instance.instanceId() + " has a private address that is not"
                    + " an IP address: " + ip, e);
        }
    }

    /** One runner instance. */
    private final class Ec2Runner implements LaunchedRunner {
        private final String runnerId;
        private final String instanceId;
        private final JoinOrigin joinOrigin;
        private final Instant launchedAt;
        private volatile boolean terminated;
        private volatile Instant checkedAt = Instant.MIN;
        private volatile boolean alive = true;

        Ec2Runner(String runnerId, String instanceId, JoinOrigin joinOrigin, Instant launchedAt) {
            this.runnerId = runnerId;
            this.instanceId = instanceId;
            this.joinOrigin = joinOrigin;
            this.launchedAt = launchedAt;
        }

        @Override
        public String describe() {
            return "instance " + instanceId;
        }

        @Override
        public JoinOrigin joinOrigin() {
            return joinOrigin;
        }

        @Override
        public boolean isAlive() {
            if (terminated || !alive) {
                return false;
            }
            Instant now = Instant.now();
            if (checkedAt.plus(ALIVE_CACHE).isAfter(now)) {
                return alive;
            }
            checkedAt = now;
            try {
                List<Instance> found = ec2.describeInstances(b -> b.instanceIds(instanceId)).reservations().stream()
                        .flatMap(r -> r.instances().stream()).toList();
                InstanceStateName state = found.isEmpty() ? null : found.get(0).state().name();
                alive = state == InstanceStateName.PENDING || state == InstanceStateName.RUNNING
                        || (state == null && launchedAt.plus(NOT_FOUND_GRACE).isAfter(now));
                if (!alive) {
                    LOG.info(() -> "runner " + runnerId + ": instance " + instanceId + " is "
                            + (state == null ? "gone" : state.toString()));
                }
            } catch (Ec2Exception e) {
                if (isNotFound(e) && launchedAt.plus(NOT_FOUND_GRACE).isBefore(now)) {
                    alive = false;
                } else {
                    // an API hiccup is no reason to give a runner up; heartbeats decide
                    LOG.log(Level.FINE, e, () -> "runner " + runnerId + ": DescribeInstances failed");
                }
            }
            return alive;
        }

        @Override
        public void terminate() {
            if (terminated) {
                return;
            }
            try {
                ec2.terminateInstances(b -> b.instanceIds(instanceId));
                terminated = true;
                LOG.info(() -> "runner " + runnerId + " of pool '" + settings.pool() + "': terminated instance "
                        + instanceId);
            } catch (Ec2Exception e) {
                if (isNotFound(e)) {
                    terminated = true;
                    LOG.info(() -> "runner " + runnerId + ": instance " + instanceId + " is already gone");
                } else {
                    LOG.log(Level.WARNING, e, () -> "runner " + runnerId + ": could not terminate instance "
                            + instanceId + "; terminate it by hand (tag " + Ec2Settings.TAG_RUNNER_ID + "="
                            + runnerId + ")");
                }
            }
        }

        private GetConsoleOutputResponse consoleOutput() {
            try {
                return ec2.getConsoleOutput(b -> b.instanceId(instanceId).latest(true));
            } catch (Ec2Exception e) {
                // only Nitro instances have the latest output; others have the buffered one
                return ec2.getConsoleOutput(b -> b.instanceId(instanceId));
            }
        }

        @Override
        public String diagnostics() {
            String hint = "on the instance, `journalctl -t flame_ec2_init` shows the bootstrap log and"
                    + " `journalctl -u flame-runner.service` the runner's";
            try {
                GetConsoleOutputResponse out = consoleOutput();
                String text = out.output() == null ? ""
                        : new String(Base64.getMimeDecoder().decode(out.output()), StandardCharsets.UTF_8);
                LOG.info(() -> "runner " + runnerId + ": read console output of instance " + instanceId);
                if (text.isBlank()) {
                    return "instance " + instanceId + " has no console output yet (EC2 publishes it with a delay); "
                            + hint;
                }
                return "last lines of the console output of instance " + instanceId + ":\n" + tail(text) + "\n"
                        + hint;
            } catch (RuntimeException e) {
                LOG.log(Level.INFO, "runner " + runnerId + ": GetConsoleOutput of " + instanceId + " failed", e);
                return "console output of instance " + instanceId + " unavailable (" + e.getMessage() + "); "
                        + hint;
            }
        }
    }

    private static boolean isNotFound(Ec2Exception e) {
        return e.awsErrorDetails() != null
                && e.awsErrorDetails().errorCode().toLowerCase(Locale.ROOT).startsWith("invalidinstanceid");
    }

    static String tail(String text) {
        String[] lines = text.strip().split("\r?\n");
        int from = Math.max(0, lines.length - CONSOLE_TAIL_LINES);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
