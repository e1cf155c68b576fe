package io.flameec2.impl.backend.ec2;

import io.flameec2.impl.remote.JoinOrigin;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.RunnerLauncher;
import io.flameec2.impl.remote.RunnerLauncher.LaunchFailedException;
import io.flameec2.impl.exec.ContainerThreads;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputResponse;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Starts each runner as one EC2 instance whose user-data boots the application's Liberty server package (see
 * {@link UserData}). The instance powers itself off when its runner stops and is launched with
 * {@code InstanceInitiatedShutdownBehavior=terminate}; the parent terminates it too when the runner does not
 * join in time.
 *
 * <p>Capacity: each market of {@code ec2.market} in order (spot, on-demand), within it each instance type and
 * subnet in order, until EC2 launches one; {@link Refusal} says which error moves on to which next attempt. The
 * runner is told its market ({@code FLAME_MARKET}): a spot runner watches for its interruption notice.
 *
 * <p>Orphans: every instance carries a lease, the {@value Ec2Settings#TAG_LEASE_UNTIL} tag, set at launch to now +
 * {@code lease-duration} and pushed forward by its parent every third of it, one CreateTags call per 100 of its
 * instances ({@link #refreshLeases()}). Every parent of the same app and pool looks, as often, for instances of
 * other parents whose lease has passed and terminates them ({@link #terminateOrphans()}): replicas and blue/green
 * deployments sharing an app and pool keep each other's runners alive by refreshing them, while an instance whose
 * parent died (and that did not stop itself, for instance because it hangs) is terminated at most
 * {@code lease-duration} + a third of it after the parent's last refresh, as long as a parent of the app and pool
 * runs. Clocks of parents may differ by up to two thirds of the lease before a live runner is at risk.
 */
public final class Ec2Launcher implements RunnerLauncher {

    private static final Logger LOG = Logger.getLogger(Ec2Launcher.class.getName());
    /**
     * How often the instances' states are read, one DescribeInstances for all runners of the pool: a runner's
     * death is seen within this, and a pool of any size costs EC2 one call per interval.
     */
    private static final Duration LIVENESS_INTERVAL = Duration.ofSeconds(5);
    /** DescribeInstances is eventually consistent: a fresh instance may be unknown for a while. */
    private static final Duration NOT_FOUND_GRACE = Duration.ofSeconds(60);
    private static final int CONSOLE_TAIL_LINES = 40;
    /** EC2's state reason code of a spot instance it took back. */
    static final String SPOT_TERMINATION = "Server.SpotInstanceTermination";
    /** Instances per CreateTags / TerminateInstances call: well under what EC2 accepts in one request. */
    private static final int BATCH = 100;

    private final Ec2Settings settings;
    private final Ec2Client ec2;
    private final S3Presigner presigner;
    private volatile SelfUploadedBundle selfUploaded;
    private volatile List<ApiCallHealth> apiHealth = List.of();
    private final String parentId;
    private final Duration bootTimeout;
    /** The runners whose leases this parent refreshes: launched, and neither terminated nor seen gone. */
    private final Set<Ec2Runner> owned = ConcurrentHashMap.newKeySet();
    private final AtomicInteger leaseRefreshes = new AtomicInteger();
    private volatile ScheduledExecutorService housekeeping;
    private ScheduledExecutorService liveness;

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
     * Gives this launcher the parent's own bundle to use for a {@code bundle-url} prefix.
     *
     * @param bundle packages and uploads the parent's bundle on first launch; closed with this launcher
     * @return this launcher
     */
    Ec2Launcher selfUploaded(SelfUploadedBundle bundle) {
        this.selfUploaded = bundle;
        return this;
    }

    /**
     * Watches the launcher's AWS clients, for {@link #problem()}.
     *
     * @param health the interceptors on its clients (EC2, and S3 when it uploads its bundle)
     * @return this launcher
     */
    Ec2Launcher apiHealth(ApiCallHealth... health) {
        this.apiHealth = List.of(health);
        return this;
    }

    @Override
    public Optional<String> problem() {
        return apiHealth.stream().map(ApiCallHealth::problem).flatMap(Optional::stream).findFirst();
    }

    /**
     * The settings this launcher uses.
     *
     * @return the settings
     */
    public Ec2Settings settings() {
        return settings;
    }

    /** Packages and uploads the parent's own bundle (a {@code bundle-url} prefix), so no first call waits for it. */
    @Override
    public void prepare() throws IOException {
        if (settings.bundlePrefix() && selfUploaded != null) {
            selfUploaded.get();
        }
    }

    @Override
    public LaunchedRunner launch(String runnerId, Map<String, String> env) throws Exception {
        Map<String, String> runnerEnv = new LinkedHashMap<>(settings.env());
        runnerEnv.putAll(env);
        // each runner has an instance of its own: the port is the pool's, not a free one picked per runner
        runnerEnv.putIfAbsent(RunnerEnv.HTTP_PORT, Integer.toString(settings.runnerPort()));
        URI configured = settings.bundleUrl();
        Optional<String> sha256 = settings.bundleSha256();
        if (settings.bundlePrefix()) {
            if (selfUploaded == null) {
                throw new IllegalStateException(Ec2Settings.key(settings.pool(), Ec2Settings.BUNDLE_URL)
                        + " is a prefix, but this launcher has no bundle of the parent's own to upload");
            }
            SelfUploadedBundle.Published own = selfUploaded.get();
            configured = own.url();
            sha256 = own.sha256();
        }
        URI bundle = BundleUrl.resolve(configured, presigner, bootTimeout);
        List<String> types = settings.instanceTypes().isEmpty() ? nullList() : settings.instanceTypes();
        List<String> subnets = settings.subnetIds().isEmpty() ? nullList() : settings.subnetIds();
        List<String> refused = new ArrayList<>();
        for (Market market : settings.markets()) {
            // the runner learns its market from its environment: a spot runner watches for its interruption notice
            Map<String, String> marketEnv = new LinkedHashMap<>(runnerEnv);
            marketEnv.put(RunnerEnv.MARKET, market.label());
            String userData = UserData.base64(UserData.render(runnerId, bundle, sha256.orElse(null),
                    settings.javaPackage().orElse(null), settings.runnerPort(), marketEnv));
            placements:
            for (String type : types) {
                for (String subnet : subnets) {
                    try {
                        return launched(runnerId, market,
                                ec2.runInstances(request(runnerId, market, type, subnet, userData)).instances().get(0));
                    } catch (Ec2Exception e) {
                        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
                        Refusal refusal = Refusal.of(market, code);
                        if (refusal == Refusal.FINAL) {
                            LOG.info(() -> "runner " + runnerId + ": RunInstances failed: " + e.getMessage());
                            throw new LaunchFailedException("RunInstances for runner " + runnerId + " of pool '"
                                    + settings.pool() + "' failed: " + e.getMessage(), e, code.isEmpty() ? null : code,
                                    e.retryable());
                        }
                        String attempt = describeAttempt(market, type, subnet) + " (" + code + ")";
                        refused.add(attempt);
                        if (refusal == Refusal.NEXT_MARKET) {
                            LOG.info(() -> "runner " + runnerId + ": " + attempt + " refused for the whole market,"
                                    + " trying the next market");
                            break placements;
                        }
                        LOG.info(() -> "runner " + runnerId + ": no capacity for " + attempt
                                + ", trying the next instance type, subnet or market");
                    }
                }
            }
        }
        throw new IllegalStateException("no EC2 capacity for runner " + runnerId + " of pool '" + settings.pool()
                + "': tried " + String.join(", ", refused) + "; add fallbacks to "
                + Ec2Settings.key(settings.pool(), Ec2Settings.INSTANCE_TYPE) + ", "
                + Ec2Settings.key(settings.pool(), Ec2Settings.SUBNET_ID) + " or "
                + Ec2Settings.key(settings.pool(), Ec2Settings.MARKET));
    }

    private Ec2Runner launched(String runnerId, Market market, Instance instance) {
        LOG.info(() -> "runner " + runnerId + " of pool '" + settings.pool() + "': launched " + market + " instance "
                + instance.instanceId() + " (" + instance.instanceTypeAsString() + ", subnet " + instance.subnetId()
                + ", " + (instance.state() == null ? "?" : instance.state().nameAsString()) + ")");
        Ec2Runner runner = new Ec2Runner(runnerId, instance.instanceId(), market, joinOrigin(runnerId, instance),
                Instant.now());
        owned.add(runner);
        watchLiveness();
        return runner;
    }

    /**
     * What a refused RunInstances means for the next attempt, by EC2's error code: one place for the rule, so
     * instance types, subnets and markets fall back alike.
     */
    enum Refusal {
        /** No capacity for this instance type or subnet in this market now: try the next placement. */
        NEXT_PLACEMENT,
        /** The market refuses every placement (the account's spot limit, a max price below the spot price). */
        NEXT_MARKET,
        /** Anything else (a missing image, a permission, a bad parameter) fails the launch as it is. */
        FINAL;

        /** Errors after which the next instance type or subnet (then market) is tried. */
        private static final Set<String> CAPACITY = Set.of("InsufficientInstanceCapacity",
                "InsufficientFreeAddressesInSubnet", "UnfulfillableCapacity");
        /** Spot errors no other placement of the spot market answers differently. */
        private static final Set<String> SPOT_MARKET = Set.of("MaxSpotInstanceCountExceeded", "SpotMaxPriceTooLow");

        static Refusal of(Market market, String code) {
            if (CAPACITY.contains(code)) {
                return NEXT_PLACEMENT;
            }
            return market == Market.SPOT && SPOT_MARKET.contains(code) ? NEXT_MARKET : FINAL;
        }
    }

    /**
     * Starts refreshing the leases of this launcher's runners and, with {@code reapOrphans}, terminating instances
     * of other parents of this app and pool whose lease has passed: now, then every
     * {@link Ec2Settings#leaseRefreshInterval()}. Failures are logged and tried again at the next round.
     *
     * @param reapOrphans whether this parent terminates expired instances of other parents ({@code false} on a
     *     runner, which must never sweep its own parent's runners, and with {@code terminate-orphans=false})
     */
    public synchronized void startHousekeeping(boolean reapOrphans) {
        if (housekeeping != null) {
            return;
        }
        housekeeping = Executors.newSingleThreadScheduledExecutor(ContainerThreads.named(
                Ec2Launcher.class.getClassLoader(), "flame-ec2-" + settings.pool() + "-leases"));
        long every = settings.leaseRefreshInterval().toMillis();
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                refreshLeases();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, e, () -> "pool '" + settings.pool() + "': could not refresh the leases of its"
                        + " runner instances (ec2:CreateTags denied?); other parents of app '" + settings.app()
                        + "' terminate them once their " + Ec2Settings.TAG_LEASE_UNTIL + " passes");
            }
            if (reapOrphans) {
                try {
                    terminateOrphans();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, e, () -> "pool '" + settings.pool() + "': could not look for orphaned"
                            + " runner instances (ec2:DescribeInstances/TerminateInstances denied?)");
                }
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Pushes the lease of every runner instance of this launcher to now + {@code lease-duration}, in batched
     * CreateTags calls.
     *
     * @return the instances whose lease was refreshed
     */
    public List<String> refreshLeases() {
        List<String> ids = owned.stream().filter(r -> !r.terminated && r.alive).map(r -> r.instanceId)
                .sorted().toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        Tag lease = tag(Ec2Settings.TAG_LEASE_UNTIL, leaseUntil(Instant.now()));
        List<String> refreshed = new ArrayList<>();
        RuntimeException failed = null;
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
            try {
                ec2.createTags(b -> b.resources(batch).tags(lease));
                refreshed.addAll(batch);
            } catch (RuntimeException e) {
                if (!(e instanceof Ec2Exception ec2e && isNotFound(ec2e))) {
                    failed = e; // the other batches still get their refresh
                    continue;
                }
                // one id unknown (just launched, DescribeInstances is eventually consistent; or long gone) fails
                // the whole call: tag one by one, so the others keep their lease
                for (String id : batch) {
                    try {
                        ec2.createTags(b -> b.resources(id).tags(lease));
                        refreshed.add(id);
                    } catch (Ec2Exception one) {
                        if (!isNotFound(one)) {
                            throw one;
                        }
                        // unknown well after its launch: gone for good, no lease to keep
                        owned.removeIf(r -> r.instanceId.equals(id)
                                && r.launchedAt.plus(NOT_FOUND_GRACE).isBefore(Instant.now()));
                    }
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
        leaseRefreshes.incrementAndGet();
        LOG.fine(() -> "pool '" + settings.pool() + "': leases of " + refreshed + " run until " + lease.value());
        return List.copyOf(refreshed);
    }

    /**
     * How many rounds of {@link #refreshLeases()} tagged at least one instance.
     *
     * @return the count
     */
    public int leaseRefreshes() {
        return leaseRefreshes.get();
    }

    /**
     * Terminates pending and running instances of this app and pool that another parent launched and whose lease
     * has passed: their parent died or hung without stopping them. Instances of live parents (replicas, the other
     * colour of a blue/green deployment) are refreshed by those parents and never expire. An instance without
     * lease tag (launched by an older version) is judged by its launch time + {@code lease-duration}.
     *
     * @return the ids of the instances terminated
     */
    public List<String> terminateOrphans() {
        DescribeInstancesRequest request = DescribeInstancesRequest.builder().filters(
                Filter.builder().name("tag:" + Ec2Settings.TAG_APP).values(settings.app()).build(),
                Filter.builder().name("tag:" + Ec2Settings.TAG_POOL).values(settings.pool()).build(),
                Filter.builder().name("instance-state-name").values("pending", "running").build()).build();
        Instant now = Instant.now();
        List<String> orphans = new ArrayList<>();
        for (Instance instance : ec2.describeInstancesPaginator(request).reservations().stream()
                .flatMap(r -> r.instances().stream()).toList()) {
            String owner = tagValue(instance, Ec2Settings.TAG_PARENT_ID).orElse("");
            if (!owner.equals(parentId) && leaseExpired(instance, now, settings.leaseDuration())) {
                orphans.add(instance.instanceId());
                LOG.info(() -> "pool '" + settings.pool() + "': instance " + instance.instanceId() + " (runner "
                        + tagValue(instance, Ec2Settings.TAG_RUNNER_ID).orElse("?") + " of parent " + owner
                        + ") is an orphan: its lease ran until "
                        + tagValue(instance, Ec2Settings.TAG_LEASE_UNTIL).orElse("(none; launched "
                        + instance.launchTime() + ")"));
            }
        }
        if (orphans.isEmpty()) {
            return List.of();
        }
        for (int from = 0; from < orphans.size(); from += BATCH) {
            List<String> batch = orphans.subList(from, Math.min(orphans.size(), from + BATCH));
            ec2.terminateInstances(b -> b.instanceIds(batch));
        }
        LOG.info(() -> "pool '" + settings.pool() + "': terminated orphaned runner instances " + orphans
                + " of app '" + settings.app() + "' whose lease had passed");
        return List.copyOf(orphans);
    }

    /**
     * Whether an instance's lease has passed: its {@value Ec2Settings#TAG_LEASE_UNTIL} is before {@code now}, or,
     * without that tag (or with one that does not parse), its launch time + {@code lease} is.
     *
     * @param instance the instance as DescribeInstances returned it
     * @param now the time to compare with
     * @param lease the lease duration, for instances without lease tag
     * @return {@code true} when the instance may be terminated as an orphan
     */
    static boolean leaseExpired(Instance instance, Instant now, Duration lease) {
        Optional<Instant> until = tagValue(instance, Ec2Settings.TAG_LEASE_UNTIL).flatMap(v -> {
            try {
                return Optional.of(Instant.parse(v));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
        Instant expiry = until.orElseGet(() -> instance.launchTime() == null ? Instant.MIN
                : instance.launchTime().plus(lease));
        return expiry.isBefore(now);
    }

    private String leaseUntil(Instant now) {
        return now.plus(settings.leaseDuration()).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Optional<String> tagValue(Instance instance, String key) {
        return instance.tags().stream().filter(t -> key.equals(t.key())).map(Tag::value).findFirst();
    }

    /**
     * Starts reading the states of this launcher's instances every {@link #LIVENESS_INTERVAL}, once it launched
     * one. {@link LaunchedRunner#isAlive()} answers from the last reading: the pool's heartbeat and join checks
     * ask it per runner on the pool's timer thread, which must not wait on EC2 once per runner.
     */
    private synchronized void watchLiveness() {
        if (liveness != null) {
            return;
        }
        liveness = Executors.newSingleThreadScheduledExecutor(ContainerThreads.named(
                Ec2Launcher.class.getClassLoader(), "flame-ec2-" + settings.pool() + "-liveness"));
        long every = LIVENESS_INTERVAL.toMillis();
        liveness.scheduleWithFixedDelay(this::checkLiveness, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Reads the state of every instance this launcher still owns, {@value #BATCH} instances per DescribeInstances
     * call, and marks those that are gone. Filtering by instance id rather than naming the ids: a fresh instance
     * that DescribeInstances does not know yet (it is eventually consistent) would fail a call naming it, for
     * all the others too.
     */
    void checkLiveness() {
        List<Ec2Runner> watched = owned.stream().filter(r -> !r.terminated && r.alive).toList();
        Map<String, InstanceStateName> states = new HashMap<>();
        Map<String, String> endedBy = new HashMap<>();
        try {
            for (int from = 0; from < watched.size(); from += BATCH) {
                List<String> ids = watched.subList(from, Math.min(watched.size(), from + BATCH)).stream()
                        .map(r -> r.instanceId).toList();
                DescribeInstancesRequest request = DescribeInstancesRequest.builder()
                        .filters(Filter.builder().name("instance-id").values(ids).build()).build();
                ec2.describeInstancesPaginator(request).reservations().stream()
                        .flatMap(r -> r.instances().stream())
                        .forEach(i -> {
                            states.put(i.instanceId(), i.state().name());
                            if (i.stateReason() != null && i.stateReason().code() != null) {
                                endedBy.put(i.instanceId(), i.stateReason().code());
                            }
                        });
            }
        } catch (RuntimeException e) {
            // an API hiccup is no reason to give a runner up; heartbeats decide
            LOG.log(Level.FINE, e, () -> "pool '" + settings.pool() + "': DescribeInstances failed");
            return;
        }
        Instant now = Instant.now();
        for (Ec2Runner runner : watched) {
            InstanceStateName state = states.get(runner.instanceId);
            runner.endedBy = endedBy.get(runner.instanceId);
            boolean alive = state == InstanceStateName.PENDING || state == InstanceStateName.RUNNING
                    || (state == null && runner.launchedAt.plus(NOT_FOUND_GRACE).isAfter(now));
            if (!alive) {
                runner.alive = false;
                owned.remove(runner);
                LOG.info(() -> "runner " + runner.runnerId + ": instance " + runner.instanceId + " is "
                        + (state == null ? "gone" : state.toString())
                        + (runner.endedBy == null ? "" : " (" + runner.endedBy + ")"));
            }
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService h = housekeeping;
        if (h != null) {
            h.shutdownNow();
        }
        synchronized (this) {
            if (liveness != null) {
                liveness.shutdownNow();
            }
        }
        ec2.close();
        if (selfUploaded != null) {
            selfUploaded.close();
        }
        if (presigner != null) {
            presigner.close();
        }
    }

    private RunInstancesRequest request(String runnerId, Market market, String type, String subnet,
            String userData) {
        List<Tag> tags = new ArrayList<>();
        settings.tags().forEach((k, v) -> tags.add(tag(k, v)));
        tags.add(tag("Name", "flame-" + settings.app() + "-" + settings.pool() + "-" + runnerId));
        tags.add(tag(Ec2Settings.TAG_APP, settings.app()));
        tags.add(tag(Ec2Settings.TAG_POOL, settings.pool()));
        tags.add(tag(Ec2Settings.TAG_PARENT_ID, parentId));
        tags.add(tag(Ec2Settings.TAG_RUNNER_ID, runnerId));
        // the lease starts at launch: the instance is safe from other parents' clean-up before the first refresh
        tags.add(tag(Ec2Settings.TAG_LEASE_UNTIL, leaseUntil(Instant.now())));
        RunInstancesRequest.Builder b = RunInstancesRequest.builder()
                .minCount(1)
                .maxCount(1)
                .userData(userData)
                .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
                // IMDSv2 only, and its token answers go no further than the instance itself: hop limit 1 keeps
                // containers on a runner (one more hop) from taking the instance role's credentials
                .metadataOptions(m -> m.httpTokens(HttpTokensState.REQUIRED)
                        .httpEndpoint(InstanceMetadataEndpointState.ENABLED).httpPutResponseHopLimit(1))
                .tagSpecifications(
                        TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
                        TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build());
        if (market == Market.SPOT) {
            // one-time and terminated on interruption: a runner is never stopped or hibernated and resumed later,
            // and no spot request outlives it to launch another instance behind the pool's back
            b.instanceMarketOptions(m -> m.marketType(MarketType.SPOT).spotOptions(o -> o
                    .spotInstanceType(SpotInstanceType.ONE_TIME)
                    .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE)));
        }
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

    private static String describeAttempt(Market market, String type, String subnet) {
        return (market == Market.SPOT ? "spot " : "") + (type == null ? "the template's instance type" : type)
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
        private final Market market;
        private final JoinOrigin joinOrigin;
        private final Instant launchedAt;
        private volatile boolean terminated;
        /** Cleared by {@link #checkLiveness()} when the instance is seen stopping or gone. */
        private volatile boolean alive = true;
        /** EC2's state reason code of the instance as last read ({@code Server.SpotInstanceTermination}), if any. */
        private volatile String endedBy;

        Ec2Runner(String runnerId, String instanceId, Market market, JoinOrigin joinOrigin, Instant launchedAt) {
            this.runnerId = runnerId;
            this.instanceId = instanceId;
            this.market = market;
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
        public String market() {
            return market.label();
        }

        /** The spot interruption, when EC2 says it took the instance back: also for a runner that missed its notice. */
        @Override
        public String whyGone() {
            return describe() + " is gone" + (SPOT_TERMINATION.equals(endedBy)
                    ? ": spot interruption (EC2 took the spot instance back, " + SPOT_TERMINATION + ")"
                    : endedBy == null ? "" : " (" + endedBy + ")");
        }

        @Override
        public boolean isAlive() {
            return !terminated && alive;
        }

        @Override
        public void terminate() {
            if (terminated) {
                return;
            }
            try {
                ec2.terminateInstances(b -> b.instanceIds(instanceId));
                terminated = true;
                owned.remove(this);
                LOG.info(() -> "runner " + runnerId + " of pool '" + settings.pool() + "': terminated instance "
                        + instanceId);
            } catch (Ec2Exception e) {
                if (isNotFound(e)) {
                    terminated = true;
                    owned.remove(this);
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
