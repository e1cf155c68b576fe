package io.flameec2.it.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * EC2-in-a-box, a test fixture: an EC2 Query API endpoint (RunInstances, DescribeInstances, TerminateInstances,
 * CreateTags, GetConsoleOutput) and an IMDSv2 endpoint at 169.254.169.254, whose instances are real hosts: each
 * one is a network namespace on a host bridge that runs the decoded user-data as root, with shims for systemctl,
 * poweroff and logger (see the scripts next to this class). Faults can be injected: no capacity for an instance
 * type, no spot capacity, throttling; spot instances can be interrupted ({@link #interrupt}) and told to rebalance.
 *
 * <p>Needs root and iproute2; one box per JVM at a time (it owns the {@code fec2-*} names).
 */
public final class Ec2Box implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Ec2Box.class.getName());
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final BoxNetwork network;
    private final HttpServer api;
    private final HttpServer imds;
    private final ExecutorService lifecycle = Executors.newCachedThreadPool(daemon("fec2-lifecycle"));
    private final Path root;
    private final Map<String, BoxInstance> instances = new ConcurrentHashMap<>();
    private final Map<String, Path> images = new ConcurrentHashMap<>();
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<Map<String, String>> runRequests = new CopyOnWriteArrayList<>();
    private final Set<String> refusedTypes = ConcurrentHashMap.newKeySet();
    private final AtomicInteger throttle = new AtomicInteger();
    private volatile String spotRefusal;
    private volatile Duration spotNotice = Duration.ofMinutes(2);
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private volatile Map<String, String> parentMetadata = Map.of();

    private Ec2Box() throws IOException {
        root = Files.createTempDirectory("fec2-box");
        network = new BoxNetwork();
        api = HttpServer.create(new InetSocketAddress(BoxNetwork.GATEWAY, 0), 64);
        api.createContext("/", this::handleApi);
        api.setExecutor(Executors.newFixedThreadPool(4, daemon("fec2-api")));
        api.start();
        imds = HttpServer.create(new InetSocketAddress(BoxNetwork.METADATA_ADDRESS, 80), 64);
        imds.createContext("/", this::handleImds);
        imds.setExecutor(Executors.newFixedThreadPool(2, daemon("fec2-imds")));
        imds.start();
        LOG.info(() -> "EC2 box up: API " + endpoint() + ", IMDS http://" + BoxNetwork.METADATA_ADDRESS + ", files "
                + root);
    }

    /**
     * Starts a box.
     *
     * @return the box
     * @throws IOException when a server cannot start
     */
    public static Ec2Box start() throws IOException {
        return new Ec2Box();
    }

    /**
     * Why a box cannot run here, if it cannot.
     *
     * @return the reason, or empty when root and {@code ip} are available
     */
    public static Optional<String> unsupportedReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("EC2-in-a-box needs root (network namespaces, bind mounts); running as "
                    + System.getProperty("user.name"));
        }
        if (!Sh.available("ip")) {
            return Optional.of("EC2-in-a-box needs the ip binary (iproute2)");
        }
        return Optional.empty();
    }

    /** @return the EC2 endpoint, reachable from the host and from instances */
    public URI endpoint() {
        return URI.create("http://" + BoxNetwork.GATEWAY + ":" + api.getAddress().getPort());
    }

    /** @return the address of the host on the instances' network, where they reach the parent */
    public String gateway() {
        return BoxNetwork.GATEWAY;
    }

    /** @param instanceType answers RunInstances for this type with InsufficientInstanceCapacity */
    public void refuseCapacity(String instanceType) {
        refusedTypes.add(instanceType);
    }

    /**
     * Answers every spot RunInstances request with an error from now on, as EC2 does when it has no spot capacity
     * (or the account's spot limit is reached); on-demand requests are launched as usual.
     *
     * @param errorCode EC2's code, such as {@code InsufficientInstanceCapacity} or {@code MaxSpotInstanceCountExceeded};
     *     {@code null} to launch spot instances again
     */
    public void refuseSpot(String errorCode) {
        spotRefusal = errorCode;
    }

    /**
     * How long after {@link #interrupt} a spot instance is terminated: two minutes in EC2, shorter for tests.
     *
     * @param notice the time between the interruption notice and the termination
     */
    public void spotInterruptionNotice(Duration notice) {
        spotNotice = notice;
    }

    /**
     * Interrupts a spot instance as EC2 does: its IMDS serves {@code spot/instance-action}
     * ({@code {"action": "terminate", "time": ...}}) from now on, and the box terminates it at that time
     * ({@link #spotInterruptionNotice}).
     *
     * @param instanceId a running spot instance
     * @return when it will be terminated
     */
    public Instant interrupt(String instanceId) {
        BoxInstance i = instance(instanceId);
        if (!"spot".equals(i.market) || !i.isLive()) {
            throw new IllegalArgumentException(instanceId + " is not a live spot instance (" + i.market + ", "
                    + i.state.label + ")");
        }
        Duration notice = spotNotice;
        Instant time = Instant.now().plus(notice).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        i.instanceAction = "{\"action\": \"terminate\", \"time\": \"" + time + "\"}";
        LOG.info(() -> "box: interrupting spot instance " + instanceId + ", terminated at " + time);
        Thread t = new Thread(() -> {
            pause(Math.max(0, Duration.between(Instant.now(), time).toMillis()));
            i.stateReasonCode = "Server.SpotInstanceTermination";
            stop(i, "Spot instance termination (interrupted by EC2-in-a-box)");
        }, "fec2-interrupt-" + instanceId);
        t.setDaemon(true);
        t.start();
        return time;
    }

    /**
     * Recommends a rebalance to a spot instance: its IMDS serves {@code events/recommendations/rebalance} from now on.
     *
     * @param instanceId a running spot instance
     */
    public void recommendRebalance(String instanceId) {
        instance(instanceId).rebalance = "{\"noticeTime\": \"" + Instant.now().truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS) + "\"}";
    }

    /** @param requests answers the next requests with RequestLimitExceeded (HTTP 503) */
    public void throttleNext(int requests) {
        throttle.set(requests);
    }

    /**
     * What the parent's instance looks like to {@code auto-configure}: IMDS requests from the host get these.
     *
     * @param metadata metadata paths (such as {@code ami-id}) to values
     */
    public void parentMetadata(Map<String, String> metadata) {
        parentMetadata = Map.copyOf(metadata);
    }

    /** @param action an EC2 action @return how often it was requested (including refused requests) */
    public int calls(String action) {
        return calls.getOrDefault(action, new AtomicInteger()).get();
    }

    /** @return the parameters of every RunInstances request that was accepted */
    public List<Map<String, String>> runInstancesRequests() {
        return List.copyOf(runRequests);
    }

    /**
     * The box's network, for tests that add hosts of their own to the runners' subnet.
     *
     * @return the network
     */
    BoxNetwork network() {
        return network;
    }

    /**
     * Registers an image: an instance launched from it boots with a copy of {@code opt} as its {@code /opt}, as
     * one of an AMI baked with files there would (a pre-baked image, README "EC2 backend"). Instances of other
     * images boot with an empty {@code /opt}.
     *
     * @param imageId the image id, such as {@code ami-0baked}
     * @param opt the image's {@code /opt}
     */
    public void image(String imageId, Path opt) {
        images.put(imageId, opt);
    }

    /** @return every instance launched, terminated ones included */
    public List<BoxInstance> instances() {
        return instances.values().stream().sorted(Comparator.comparingInt(i -> i.index)).toList();
    }

    /** @param id an instance id @return the instance */
    public BoxInstance instance(String id) {
        return Optional.ofNullable(instances.get(id)).orElseThrow(() -> new IllegalArgumentException("no " + id));
    }

    /** @return ids of instances pending or running */
    public List<String> liveInstanceIds() {
        return instances().stream().filter(BoxInstance::isLive).map(i -> i.id).toList();
    }

    /** @return ids of instances not yet terminated (still shutting down included) */
    public List<String> unterminatedInstanceIds() {
        return instances().stream().filter(i -> i.state != BoxInstance.State.TERMINATED).map(i -> i.id).toList();
    }

    /** Terminates every instance and waits, stops the servers and removes the network. */
    @Override
    public void close() {
        instances.values().forEach(i -> stop(i, "box closed"));
        long deadline = System.nanoTime() + STOP_GRACE.plusSeconds(15).toNanos();
        while (!unterminatedInstanceIds().isEmpty() && System.nanoTime() < deadline) {
            pause(200);
        }
        api.stop(0);
        imds.stop(0);
        lifecycle.shutdown(); // teardowns still deleting their instance's files finish first
        try {
            if (!lifecycle.awaitTermination(30, TimeUnit.SECONDS)) {
                lifecycle.shutdownNow();
            }
        } catch (InterruptedException e) {
            lifecycle.shutdownNow();
            Thread.currentThread().interrupt();
        }
        network.close();
        BoxNetwork.removeLeftovers();
        deleteTree(root);
        LOG.info("EC2 box closed");
    }

    // ---------------------------------------------------------------- EC2 Query API

    private void handleApi(HttpExchange ex) throws IOException {
        String requestId = UUID.randomUUID().toString();
        try {
            if (ex.getRequestURI().getPath().equals("/_box/poweroff")) {
                String from = ex.getRemoteAddress().getAddress().getHostAddress();
                Optional<BoxInstance> self = byAddress(from);
                self.ifPresent(i -> stop(i, "the instance powered itself off"));
                send(ex, self.isPresent() ? 200 : 404, "text/plain", self.map(i -> i.id).orElse("unknown host"));
                return;
            }
            Map<String, String> p = params(ex);
            String action = p.getOrDefault("Action", "");
            calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
            if (throttle.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                LOG.info(() -> "box: throttling " + action);
                error(ex, 503, "RequestLimitExceeded", "Request limit exceeded.", requestId);
                return;
            }
            switch (action) {
                case "RunInstances" -> runInstances(ex, p, requestId);
                case "DescribeInstances" -> describeInstances(ex, p, requestId);
                case "TerminateInstances" -> terminateInstances(ex, p, requestId);
                case "CreateTags" -> createTags(ex, p, requestId);
                case "GetConsoleOutput" -> consoleOutput(ex, p, requestId);
                default -> error(ex, 400, "InvalidAction", "The action " + action + " is not valid for this web "
                        + "service (EC2-in-a-box).", requestId);
            }
        } catch (BoxError e) {
            error(ex, e.status, e.code, e.getMessage(), requestId);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "box: request failed", e);
            error(ex, 500, "InternalError", "An internal error has occurred: " + e, requestId);
        } finally {
            ex.close();
        }
    }

    private void runInstances(HttpExchange ex, Map<String, String> p, String requestId) throws IOException {
        if (!p.containsKey("ImageId") && !p.containsKey("LaunchTemplate.LaunchTemplateId")) {
            throw new BoxError(400, "MissingParameter", "The request must contain the parameter ImageId");
        }
        if (p.getOrDefault("ImageId", "").startsWith("ami-missing")) {
            throw new BoxError(400, "InvalidAMIID.NotFound", "The image id '[" + p.get("ImageId") + "]' does not exist");
        }
        String hopLimit = p.getOrDefault("MetadataOptions.HttpPutResponseHopLimit", "1");
        if (!hopLimit.matches("[1-9]|[1-5][0-9]|6[0-4]")) {
            throw new BoxError(400, "InvalidParameterValue", "Value (" + hopLimit + ") for parameter"
                    + " HttpPutResponseHopLimit is invalid. Valid values are 1 to 64.");
        }
        if (!"1".equals(p.get("MinCount")) || !"1".equals(p.get("MaxCount"))) {
            throw new BoxError(400, "InvalidParameterValue", "EC2-in-a-box launches one instance per request");
        }
        String type = p.getOrDefault("InstanceType", "t3.small");
        String market = p.get("InstanceMarketOptions.MarketType");
        if (market != null && !market.equals("spot")) {
            throw new BoxError(400, "InvalidParameterValue", "Value (" + market + ") for parameter"
                    + " InstanceMarketOptions.MarketType is invalid. Valid values are spot, capacity-block.");
        }
        String refusal = spotRefusal;
        if (market != null && refusal != null) {
            // EC2 answers capacity errors as server errors (500), limits as client errors (400)
            throw new BoxError(refusal.startsWith("Insufficient") ? 500 : 400, refusal, "There is no Spot capacity available that matches your request"
                    + " (" + type + ", box-1a).");
        }
        if (refusedTypes.contains(type)) {
            throw new BoxError(500, "InsufficientInstanceCapacity", "We currently do not have sufficient " + type
                    + " capacity in the Availability Zone you requested (box-1a).");
        }
        String userData = new String(Base64.getDecoder().decode(p.getOrDefault("UserData", "")),
                StandardCharsets.UTF_8);
        int index = nextIndex.incrementAndGet();
        String id = "i-" + HexFormat.of().formatHex(randomBytes(9)).substring(0, 17);
        BoxInstance instance = new BoxInstance(id, index, p, userData, root);
        for (int n = 1; p.containsKey("TagSpecification." + n + ".ResourceType"); n++) {
            if ("instance".equals(p.get("TagSpecification." + n + ".ResourceType"))) {
                for (int t = 1; p.containsKey("TagSpecification." + n + ".Tag." + t + ".Key"); t++) {
                    instance.tag(p.get("TagSpecification." + n + ".Tag." + t + ".Key"),
                            p.getOrDefault("TagSpecification." + n + ".Tag." + t + ".Value", ""));
                }
            }
        }
        instances.put(id, instance);
        runRequests.add(Map.copyOf(p));
        LOG.info(() -> "box: RunInstances -> " + id + " (" + type + ", " + instance.address + ")");
        lifecycle.submit(() -> boot(instance));
        send(ex, 200, "text/xml", Ec2Xml.response("RunInstances", requestId,
                Ec2Xml.reservation("r-" + id.substring(2), List.of(instance))));
    }

    private void describeInstances(HttpExchange ex, Map<String, String> p, String requestId) throws IOException {
        List<String> ids = indexed(p, "InstanceId");
        for (String id : ids) {
            if (!instances.containsKey(id)) {
                throw new BoxError(400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
            }
        }
        Map<String, List<String>> filters = new LinkedHashMap<>();
        for (int n = 1; p.containsKey("Filter." + n + ".Name"); n++) {
            filters.put(p.get("Filter." + n + ".Name"), indexed(p, "Filter." + n + ".Value"));
        }
        List<BoxInstance> matching = instances().stream()
                .filter(i -> ids.isEmpty() || ids.contains(i.id))
                .filter(i -> filters.entrySet().stream().allMatch(f -> matches(i, f.getKey(), f.getValue())))
                .toList();
        StringBuilder body = new StringBuilder("<reservationSet>");
        for (BoxInstance i : matching) {
            body.append("<item>").append(Ec2Xml.reservation("r-" + i.id.substring(2), List.of(i))).append("</item>");
        }
        body.append("</reservationSet>");
        send(ex, 200, "text/xml", Ec2Xml.response("DescribeInstances", requestId, body.toString()));
    }

    private static boolean matches(BoxInstance i, String filter, List<String> values) {
        if (filter.startsWith("tag:")) {
            String value = i.tagsCopy().get(filter.substring(4));
            return value != null && values.contains(value);
        }
        return switch (filter) {
            case "instance-state-name" -> values.contains(i.state.label);
            case "instance-id" -> values.contains(i.id);
            case "tag-key" -> values.stream().anyMatch(i.tagsCopy()::containsKey);
            case "instance-type" -> values.contains(i.instanceType);
            default -> throw new BoxError(400, "InvalidParameterValue", "The filter '" + filter + "' is invalid");
        };
    }

    private void terminateInstances(HttpExchange ex, Map<String, String> p, String requestId) throws IOException {
        List<String> ids = indexed(p, "InstanceId");
        if (ids.isEmpty()) {
            throw new BoxError(400, "MissingParameter", "The request must contain the parameter InstanceId");
        }
        for (String id : ids) {
            if (!instances.containsKey(id)) {
                throw new BoxError(400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
            }
        }
        StringBuilder body = new StringBuilder("<instancesSet>");
        for (String id : ids) {
            BoxInstance i = instances.get(id);
            BoxInstance.State before = i.state;
            stop(i, "terminated by TerminateInstances");
            body.append("<item><instanceId>").append(id).append("</instanceId><currentState><code>")
                    .append(i.state.code).append("</code><name>").append(i.state.label)
                    .append("</name></currentState><previousState><code>").append(before.code)
                    .append("</code><name>").append(before.label).append("</name></previousState></item>");
        }
        body.append("</instancesSet>");
        send(ex, 200, "text/xml", Ec2Xml.response("TerminateInstances", requestId, body.toString()));
    }

    private void createTags(HttpExchange ex, Map<String, String> p, String requestId) throws IOException {
        List<String> ids = indexed(p, "ResourceId");
        for (String id : ids) {
            BoxInstance i = instances.get(id);
            if (i == null) {
                throw new BoxError(400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
            }
            for (int t = 1; p.containsKey("Tag." + t + ".Key"); t++) {
                i.tag(p.get("Tag." + t + ".Key"), p.getOrDefault("Tag." + t + ".Value", ""));
            }
        }
        send(ex, 200, "text/xml", Ec2Xml.response("CreateTags", requestId, "<return>true</return>"));
    }

    private void consoleOutput(HttpExchange ex, Map<String, String> p, String requestId) throws IOException {
        String id = p.getOrDefault("InstanceId", "");
        BoxInstance i = instances.get(id);
        if (i == null) {
            throw new BoxError(400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
        }
        String output = Base64.getEncoder().encodeToString(i.consoleOutput().getBytes(StandardCharsets.UTF_8));
        send(ex, 200, "text/xml", Ec2Xml.response("GetConsoleOutput", requestId, "<instanceId>" + id
                + "</instanceId><timestamp>" + Instant.now() + "</timestamp><output>" + output + "</output>"));
    }

    // ---------------------------------------------------------------- instance lifecycle

    private void boot(BoxInstance i) {
        synchronized (i) { // teardown waits until the namespace and the boot process exist
            bootLocked(i);
        }
    }

    private void bootLocked(BoxInstance i) {
        try {
            Path opt = Files.createDirectories(i.dir.resolve("opt"));
            Path baked = images.get(i.imageId);
            if (baked != null) { // owners and modes as baked
                Process copy = new ProcessBuilder("cp", "-a", baked + "/.", opt.toString()).inheritIO().start();
                if (copy.waitFor() != 0) {
                    throw new IOException("cannot copy image " + i.imageId + " from " + baked);
                }
            }
            Files.createDirectories(i.dir.resolve("systemd"));
            Path shims = Files.createDirectories(i.dir.resolve("shims"));
            Files.writeString(i.console(), "[box] " + Instant.now() + " instance " + i.id + " booting at " + i.address
                    + "\n");
            Files.writeString(i.journal(), "");
            Path userData = Files.writeString(i.dir.resolve("user-data.sh"), i.userData);
            Map<String, String> values = Map.of("@CONSOLE@", quote(i.console().toString()),
                    "@JOURNAL@", quote(i.journal().toString()),
                    "@POWEROFF_URL@", quote(endpoint() + "/_box/poweroff"));
            for (String shim : List.of("systemctl", "logger")) {
                executable(Files.writeString(shims.resolve(shim), render(resource(shim), values)));
            }
            Path boot = executable(Files.writeString(i.dir.resolve("boot.sh"), resource("boot.sh")));
            executable(userData);
            network.addHost(i.namespace, i.veth, i.address);
            if (i.stopping.get()) {
                return;
            }
            i.state = BoxInstance.State.RUNNING;
            new ProcessBuilder("ip", "netns", "exec", i.namespace, "bash", boot.toString(), i.dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(i.console().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            LOG.info(() -> "box: " + i.id + " running user-data in namespace " + i.namespace);
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.log(Level.WARNING, "box: " + i.id + " failed to boot", e);
            appendConsole(i, "[box] boot failed: " + e);
            stop(i, "the box failed to boot it: " + e.getMessage());
        }
    }

    /** Shuts an instance down: SIGTERM to its processes, SIGKILL after a grace period, then the namespace goes. */
    void stop(BoxInstance i, String reason) {
        if (!i.stopping.compareAndSet(false, true)) {
            return;
        }
        i.stateReason = reason;
        i.state = BoxInstance.State.SHUTTING_DOWN;
        LOG.info(() -> "box: " + i.id + " shutting down: " + reason);
        lifecycle.submit(() -> {
            synchronized (i) {
                tearDown(i, reason);
            }
        });
    }

    private void tearDown(BoxInstance i, String reason) {
        try {
            appendConsole(i, "[box] " + Instant.now() + " shutting down: " + reason);
            signalAll(i, false);
            long deadline = System.nanoTime() + STOP_GRACE.toNanos();
            while (!BoxNetwork.pids(i.namespace).isEmpty() && System.nanoTime() < deadline) {
                pause(200);
            }
            List<Long> stubborn = BoxNetwork.pids(i.namespace);
            if (!stubborn.isEmpty()) {
                LOG.info(() -> "box: " + i.id + " processes ignoring SIGTERM after " + STOP_GRACE + ": "
                        + stubborn.stream().map(pid -> pid + " " + ProcessHandle.of(pid)
                                .flatMap(h -> h.info().commandLine()).orElse("?")).toList());
            }
            for (int attempt = 0; attempt < 25 && !BoxNetwork.pids(i.namespace).isEmpty(); attempt++) {
                signalAll(i, true);
                pause(200);
            }
            network.removeHost(i.namespace, i.veth);
            i.keepConsole();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "box: stopping " + i.id + " failed", e);
        } finally {
            i.state = BoxInstance.State.TERMINATED;
            LOG.info(() -> "box: " + i.id + " terminated");
        }
        // the host is gone (no process, no namespace): removing its files (its copy of /etc, the unpacked bundle:
        // thousands of files, a second and more on a loaded machine) is the box's housekeeping, not EC2's
        deleteTree(i.dir);
    }

    private static void signalAll(BoxInstance i, boolean kill) {
        for (long pid : BoxNetwork.pids(i.namespace)) {
            ProcessHandle.of(pid).ifPresent(h -> {
                if (kill) {
                    h.destroyForcibly();
                } else {
                    h.destroy();
                }
            });
        }
    }

    // ---------------------------------------------------------------- IMDSv2

    private void handleImds(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/latest/api/token")) {
                String ttl = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds");
                if (!"PUT".equals(ex.getRequestMethod()) || ttl == null) {
                    send(ex, 400, "text/plain", "Bad Request");
                    return;
                }
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(24));
                tokens.put(token, Instant.now().plusSeconds(Long.parseLong(ttl.trim())));
                send(ex, 200, "text/plain", token);
                return;
            }
            String token = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
            Instant expiry = token == null ? null : tokens.get(token);
            if (expiry == null || expiry.isBefore(Instant.now())) {
                send(ex, 401, "text/plain", "Unauthorized"); // IMDSv1 is off: HttpTokens=required
                return;
            }
            String from = ex.getRemoteAddress().getAddress().getHostAddress();
            Map<String, String> md = byAddress(from).map(this::metadata).orElse(parentMetadata);
            String value = path.equals("/latest/user-data") ? byAddress(from).map(i -> i.userData).orElse(null)
                    : path.startsWith("/latest/meta-data/") ? md.get(path.substring("/latest/meta-data/".length()))
                    : null;
            if (value == null) {
                send(ex, 404, "text/plain", "Not Found");
            } else {
                send(ex, 200, "text/plain", value);
            }
        }
    }

    private Map<String, String> metadata(BoxInstance i) {
        Map<String, String> md = new TreeMap<>();
        md.put("instance-id", i.id);
        md.put("ami-id", i.imageId);
        md.put("instance-type", i.instanceType);
        md.put("instance-life-cycle", i.market);
        if (i.instanceAction != null) {
            md.put("spot/instance-action", i.instanceAction);
        }
        if (i.rebalance != null) {
            md.put("events/recommendations/rebalance", i.rebalance);
        }
        md.put("local-ipv4", i.address);
        md.put("mac", i.mac);
        md.put("placement/region", "box-1");
        md.put("placement/availability-zone", "box-1a");
        md.put("network/interfaces/macs/" + i.mac + "/subnet-id", i.subnetId);
        md.put("network/interfaces/macs/" + i.mac + "/security-group-ids", String.join("\n", i.securityGroupIds));
        if (i.iamInstanceProfileArn != null) {
            md.put("iam/info", "{\"Code\":\"Success\",\"InstanceProfileArn\":\"" + i.iamInstanceProfileArn + "\"}");
        }
        return md;
    }

    private Optional<BoxInstance> byAddress(String address) {
        return instances.values().stream().filter(i -> i.address.equals(address) && i.isLive()).findFirst();
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, String> params(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String query = Optional.ofNullable(ex.getRequestURI().getRawQuery()).orElse("");
        Map<String, String> p = new LinkedHashMap<>();
        Stream.of(query, body).flatMap(s -> Stream.of(s.split("&"))).filter(s -> !s.isEmpty()).forEach(pair -> {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            p.put(k, v);
        });
        return p;
    }

    private static List<String> indexed(Map<String, String> p, String prefix) {
        List<String> values = new ArrayList<>();
        for (int n = 1; p.containsKey(prefix + "." + n); n++) {
            values.add(p.get(prefix + "." + n));
        }
        return values;
    }

    private static void error(HttpExchange ex, int status, String code, String message, String requestId)
            throws IOException {
        send(ex, status, "text/xml", Ec2Xml.error(code, message, requestId));
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + ";charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void appendConsole(BoxInstance i, String line) {
        try {
            if (Files.isDirectory(i.dir)) {
                Files.writeString(i.console(), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "console of " + i.id, e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = Ec2Box.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String render(String template, Map<String, String> values) {
        String out = template;
        for (Map.Entry<String, String> e : values.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static Path executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not delete " + dir, e);
        }
    }

    private static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** An EC2 error answer. */
    private static final class BoxError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        BoxError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }
}
