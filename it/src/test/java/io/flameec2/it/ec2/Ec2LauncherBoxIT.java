package io.flameec2.it.ec2;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.backend.ec2.Ec2BackendFactory;
import io.flameec2.impl.backend.ec2.Ec2Clients;
import io.flameec2.impl.backend.ec2.Ec2Launcher;
import io.flameec2.impl.backend.ec2.Ec2Settings;
import io.flameec2.impl.backend.ec2.Ec2SettingsReader;
import io.flameec2.impl.backend.ec2.InstanceMetadata;
import io.flameec2.impl.remote.RemoteBackend;
import io.flameec2.impl.remote.RunnerLauncher;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.RunnerLauncher.LaunchedRunner;
import io.flameec2.spi.FlameBackend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The EC2 launcher against EC2-in-a-box: real AWS SDK calls, real user-data run as root in a network
 * namespace, a bundle presigned by the launcher and served by s3proxy. The bundle is a fake Liberty package
 * whose "server" reports its environment to the test, so these tests isolate the launcher and the
 * user-data from the runner (the end-to-end test boots real Liberty runners).
 */
class Ec2LauncherBoxIT {

    private static final Logger LOG = Logger.getLogger(Ec2LauncherBoxIT.class.getName());
    private static final Duration BOOT = Duration.ofSeconds(90);
    /** The shortest lease allowed: refreshes and sweeps every 5 s. */
    private static final Duration LEASE = Ec2Settings.MIN_LEASE_DURATION;

    private static BoxFixture fx;
    private static HttpServer parent;
    private static final LinkedBlockingQueue<Map<String, String>> REPORTS = new LinkedBlockingQueue<>();
    private static volatile String answer = "exit";
    private static URI bundle;
    private static byte[] bundleBytes;

    private final List<Ec2Launcher> launchers = new ArrayList<>();

    @BeforeAll
    static void startBox() throws Exception {
        Optional<String> unsupported = Ec2Box.unsupportedReason();
        Assumptions.assumeTrue(unsupported.isEmpty(), () -> "skipped: " + unsupported.orElse(""));
        fx = new BoxFixture();
        bundleBytes = FakeRunnerBundle.zip();
        bundle = fx.upload("fake/runner.zip", bundleBytes);
        parent = HttpServer.create(new InetSocketAddress(fx.box.gateway(), 0), 16);
        parent.createContext("/register", ex -> {
            try (ex) {
                Map<String, String> report = new LinkedHashMap<>();
                for (String line : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        report.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
                REPORTS.add(report);
                byte[] body = answer.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        parent.start();
    }

    @AfterAll
    static void stopBox() {
        if (parent != null) {
            parent.stop(0);
        }
        if (fx != null) {
            fx.close();
            assertEquals(List.of(), BoxNetwork.namespaces(), "network namespaces leaked");
        }
    }

    @AfterEach
    void noInstanceLeftRunning() {
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> fx.box.unterminatedInstanceIds().isEmpty());
            assertEquals(List.of(), liveInstancesSeenBySdk());
            assertEquals(List.of(), BoxNetwork.namespaces());
        } finally {
            launchers.forEach(Ec2Launcher::close);
            REPORTS.clear();
            answer = "exit";
        }
    }

    @Test
    void bootsTheUserDataWhichStartsTheRunnerThatPowersOffWhenItExits() throws Exception {
        Ec2Launcher launcher = launcher("boot", "parent-A", Map.of(), List.of("t3.small"));
        long start = System.nanoTime();
        LaunchedRunner runner = launcher.launch("r-1", runnerEnv("r-1"));
        Map<String, String> report = REPORTS.poll(BOOT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(report != null, "the runner never called back; console:\n" + console());
        long bootMillis = (System.nanoTime() - start) / 1_000_000;
        LOG.info("box: fake runner r-1 called back " + bootMillis + " ms after RunInstances");

        String instanceId = runner.describe().replace("instance ", "");
        BoxInstance instance = fx.box.instance(instanceId);
        assertEquals("r-1", report.get("id"));
        assertEquals("token-r-1", report.get("token"));
        assertEquals("true", report.get("runner"));
        assertEquals("9080", report.get("port"));
        assertTrue(instance.consoleOutput().contains("local IPv4 " + instance.address), "IMDSv2 reached");
        assertEquals("600", report.get("mode"), "the env file holds the join token");
        assertEquals("run fakeRunner", report.get("args"));
        // the runner runs as an unprivileged user of its own, which cannot change the server package
        assertEquals("flame-runner", report.get("user"));
        assertFalse(report.get("uid").equals("0"), report::toString);
        assertEquals("no", report.get("readsEnvFile"), "systemd reads the env file as root");
        assertEquals("no", report.get("writesBundle"));
        assertEquals("yes", report.get("writesOutput"));
        assertEquals("/opt/flame/output", report.get("outputDir"));
        assertFalse(Files.readString(Path.of("/etc/passwd")).contains("flame-runner"),
                "the user-data's useradd changed the instance's /etc, not the host's");

        Map<String, String> request = fx.box.runInstancesRequests().get(0);
        assertEquals("terminate", request.get("InstanceInitiatedShutdownBehavior"));
        assertEquals("required", request.get("MetadataOptions.HttpTokens"));
        assertEquals("1", request.get("MetadataOptions.HttpPutResponseHopLimit"));
        assertEquals(1, describe(instanceId).metadataOptions().httpPutResponseHopLimit(), "IMDS hop limit pinned");
        assertEquals(1, instance.hopLimit);
        assertEquals("ami-0box", request.get("ImageId"));
        Map<String, String> tags = tags(describe(instanceId));
        assertEquals("it-boot", tags.get("flame:app"));
        assertEquals("box", tags.get("flame:pool"));
        assertEquals("parent-A", tags.get("flame:parent-id"));
        assertEquals("r-1", tags.get("flame:runner-id"));
        assertEquals("flame-it-boot-box-r-1", tags.get("Name"));
        assertEquals("media", tags.get("team"));
        Instant leaseUntil = Instant.parse(tags.get("flame:lease-until"));
        assertTrue(leaseUntil.isAfter(Instant.now().plus(LEASE).minusSeconds(30)), () -> "lease from launch: " + tags);
        assertFalse(request.get("UserData").isEmpty());

        String console = runner.diagnostics();
        assertTrue(console.contains("flame_ec2_init: runner r-1: bootstrap started"), console);
        // the boot phases before the JVM, logged and handed to the runner for its join (the RunnerReady phases)
        assertTrue(console.contains("flame_ec2_init: runner r-1: phase java done"), console);
        assertTrue(console.contains("flame_ec2_init: runner r-1: phase bundle done"), console);
        assertFalse(console.contains("X-Amz-Signature"), "the presigned URL's signature must not be logged");

        // the fake runner exits after its call back: ExecStopPost powers the instance off, EC2 terminates it
        await().atMost(Duration.ofSeconds(60)).until(() -> !runner.isAlive());
        await().atMost(Duration.ofSeconds(30)).until(() -> describe(instanceId).state().name()
                == InstanceStateName.TERMINATED);
    }

    @Test
    void capacityErrorsFallBackToTheNextInstanceType() throws Exception {
        fx.box.refuseCapacity("c7.refused");
        answer = "exit";
        Ec2Launcher launcher = launcher("capacity", "parent-A", Map.of(), List.of("c7.refused", "t3.medium"));
        LaunchedRunner runner = launcher.launch("r-2", runnerEnv("r-2"));
        String instanceId = runner.describe().replace("instance ", "");
        assertEquals("t3.medium", describe(instanceId).instanceTypeAsString());
        assertTrue(REPORTS.poll(BOOT.toSeconds(), TimeUnit.SECONDS) != null, () -> "no call back: " + console());
        await().atMost(Duration.ofSeconds(60)).until(() -> !runner.isAlive());
    }

    @Test
    void spotLaunchesAskForOneTimeSpotAndTheRunnerLearnsItsMarket() throws Exception {
        Map<String, String> m = launcherSettings("spot", Map.of(), List.of("t3.small"), bundle);
        m.put("market", "spot");
        Ec2Launcher launcher = launcher(read(m), "parent-A");
        int before = fx.box.runInstancesRequests().size();
        answer = "stay";
        LaunchedRunner runner = launcher.launch("r-30", runnerEnv("r-30"));
        assertEquals("spot", runner.market());
        Map<String, String> request = fx.box.runInstancesRequests().get(before);
        assertEquals("spot", request.get("InstanceMarketOptions.MarketType"));
        assertEquals("one-time", request.get("InstanceMarketOptions.SpotOptions.SpotInstanceType"));
        assertEquals("terminate", request.get("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"));
        String instanceId = runner.describe().replace("instance ", "");
        assertEquals(InstanceLifecycleType.SPOT, describe(instanceId).instanceLifecycle());
        Map<String, String> report = REPORTS.poll(BOOT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(report != null, () -> "no call back: " + console());
        assertEquals("spot", report.get("market"), "the runner is told its market, to watch for interruptions");

        // EC2 takes it back (this fake runner ignores the notice): the launcher says why it is gone
        fx.box.spotInterruptionNotice(Duration.ofSeconds(3));
        fx.box.interrupt(instanceId);
        await().atMost(Duration.ofSeconds(60)).until(() -> !runner.isAlive());
        assertEquals("Server.SpotInstanceTermination", describe(instanceId).stateReason().code());
        assertTrue(runner.whyGone().contains("spot interruption"), runner.whyGone());
    }

    @Test
    void spotCapacityErrorsFallBackToOnDemandAfterEveryPlacementAndMarketWideOnesAtOnce() throws Exception {
        fx.box.refuseSpot("InsufficientInstanceCapacity");
        try {
            Map<String, String> m = launcherSettings("spotfallback", Map.of(), List.of("t3.small", "t3.medium"), bundle);
            m.put("market", "spot,on-demand");
            Ec2Launcher launcher = launcher(read(m), "parent-A");
            int before = fx.box.runInstancesRequests().size();
            LaunchedRunner runner = launcher.launch("r-31", runnerEnv("r-31"));
            assertEquals("on-demand", runner.market());
            List<Map<String, String>> accepted = fx.box.runInstancesRequests();
            assertEquals(before + 1, accepted.size(), "only the on-demand request launched an instance");
            Map<String, String> request = accepted.get(before);
            assertEquals(null, request.get("InstanceMarketOptions.MarketType"));
            assertEquals("t3.small", request.get("InstanceType"), "the next market starts from the first type");
            String instanceId = runner.describe().replace("instance ", "");
            assertEquals(null, describe(instanceId).instanceLifecycle());
            Map<String, String> report = REPORTS.poll(BOOT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(report != null, () -> "no call back: " + console());
            assertEquals("on-demand", report.get("market"));
            await().atMost(Duration.ofSeconds(60)).until(() -> !runner.isAlive());

            // the account's spot limit refuses every spot placement alike: the next market is tried at once
            fx.box.refuseSpot("MaxSpotInstanceCountExceeded");
            Map<String, String> spotOnly = launcherSettings("spotonly", Map.of(), List.of("t3.small", "t3.medium"),
                    bundle);
            spotOnly.put("market", "spot");
            Ec2Launcher noFallback = launcher(read(spotOnly), "parent-A");
            int launched = fx.box.instances().size();
            Exception e = assertThrows(IllegalStateException.class, () -> noFallback.launch("r-32", runnerEnv("r-32")));
            assertTrue(e.getMessage().contains("tried spot t3.small in subnet-0box (MaxSpotInstanceCountExceeded);"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("flame.pools.box.ec2.market"), e.getMessage());
            assertEquals(launched, fx.box.instances().size());
        } finally {
            fx.box.refuseSpot(null);
        }
    }

    @Test
    void noCapacityAnywhereIsAClearErrorAndLaunchesNothing() {
        fx.box.refuseCapacity("c7.refused");
        fx.box.refuseCapacity("c6.refused");
        int before = fx.box.instances().size();
        Ec2Launcher launcher = launcher("nocapacity", "parent-A", Map.of(), List.of("c7.refused", "c6.refused"));
        Exception e = assertThrows(IllegalStateException.class, () -> launcher.launch("r-3", runnerEnv("r-3")));
        assertTrue(e.getMessage().contains("no EC2 capacity for runner r-3"), e.getMessage());
        assertTrue(e.getMessage().contains("c7.refused in subnet-0box (InsufficientInstanceCapacity), c6.refused in subnet-0box"), e.getMessage());
        assertTrue(e.getMessage().contains("flame.pools.box.ec2.instance-type"), e.getMessage());
        assertEquals(before, fx.box.instances().size());
    }

    @Test
    void aRefusedLaunchKeepsEc2sErrorCodeAndIsNotRetryable() {
        Map<String, String> m = launcherSettings("noimage", Map.of(), List.of("t3.small"), bundle);
        m.put("image-id", "ami-missing0");
        Ec2Launcher launcher = launcher(read(m), "parent-A");
        RunnerLauncher.LaunchFailedException e = assertThrows(RunnerLauncher.LaunchFailedException.class,
                () -> launcher.launch("r-5", runnerEnv("r-5")));
        assertEquals("InvalidAMIID.NotFound", e.errorCode());
        assertFalse(e.retryable(), "a missing image is missing next time too");
        assertTrue(e.getMessage().contains("RunInstances for runner r-5"), e.getMessage());
    }

    @Test
    void throttlingIsRetriedBySdk() throws Exception {
        answer = "exit";
        Ec2Launcher launcher = launcher("throttle", "parent-A", Map.of(), List.of("t3.small"));
        int before = fx.box.calls("RunInstances");
        fx.box.throttleNext(1);
        LaunchedRunner runner = launcher.launch("r-4", runnerEnv("r-4"));
        assertEquals(before + 2, fx.box.calls("RunInstances"), "one throttled request, one retry");
        assertTrue(REPORTS.poll(BOOT.toSeconds(), TimeUnit.SECONDS) != null, () -> "no call back: " + console());
        await().atMost(Duration.ofSeconds(60)).until(() -> !runner.isAlive());
    }

    @Test
    void aFailingUserDataPowersOffAndTheConsoleSaysWhy() throws Exception {
        Ec2Launcher launcher = launcher("badbundle", "parent-A", Map.of(), List.of("t3.small"),
                URI.create("s3://" + BoxFixture.BUCKET + "/missing/runner.zip"));
        LaunchedRunner runner = launcher.launch("r-5", runnerEnv("r-5"));
        await().atMost(BOOT).until(() -> !runner.isAlive());
        String diagnostics = runner.diagnostics();
        assertTrue(diagnostics.contains("flame_ec2_init: runner r-5: downloading bundle"), diagnostics);
        assertTrue(diagnostics.contains("FAILED with status 22"), diagnostics);
        assertTrue(diagnostics.contains("powering off"), diagnostics);
        assertTrue(diagnostics.contains("journalctl -t flame_ec2_init"), diagnostics);
        assertTrue(REPORTS.isEmpty());
    }

    @Test
    void aRunnerThatNeverRegistersIsTerminatedByTheParent() throws Exception {
        Ec2Launcher launcher = launcher("silent", "parent-A", Map.of("FAKE_BEHAVIOUR", "silent"), List.of("t3.small"));
        LaunchedRunner runner = launcher.launch("r-6", runnerEnv("r-6"));
        String instanceId = runner.describe().replace("instance ", "");
        await().atMost(BOOT).until(() -> fx.box.instance(instanceId).consoleOutput().contains("started flame-runner"));
        assertTrue(runner.isAlive());
        runner.terminate(); // what RemoteBackend does when boot-timeout passes without registration
        runner.terminate(); // idempotent
        assertFalse(runner.isAlive());
        await().atMost(Duration.ofSeconds(60)).until(() -> describe(instanceId).state().name()
                == InstanceStateName.TERMINATED);
    }

    @Test
    void aBundleWithAnotherSha256IsNotUnpackedAndTheInstancePowersOffSayingWhy() throws Exception {
        String right = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bundleBytes));
        String wrong = right.substring(1) + (right.charAt(0) == '0' ? '1' : '0');
        Map<String, String> withWrongSha = launcherSettings("sha", Map.of(), List.of("t3.small"), bundle);
        withWrongSha.put("bundle-sha256", wrong);
        Ec2Launcher launcher = launcher(read(withWrongSha), "parent-A");
        LaunchedRunner runner = launcher.launch("r-10", runnerEnv("r-10"));
        await().atMost(BOOT).until(() -> !runner.isAlive());
        String diagnostics = runner.diagnostics(); // what the boot error quotes
        assertTrue(diagnostics.contains("flame_ec2_init: runner r-10: bundle SHA-256 mismatch: expected " + wrong
                + " (ec2.bundle-sha256), downloaded " + right + "; not unpacking it"), diagnostics);
        assertTrue(diagnostics.contains("powering off"), diagnostics);
        assertFalse(diagnostics.contains("unpacking bundle"), diagnostics);
        assertTrue(REPORTS.isEmpty(), "no runner started");

        answer = "exit";
        Map<String, String> withRightSha = launcherSettings("sha", Map.of(), List.of("t3.small"), bundle);
        withRightSha.put("bundle-sha256", right.toUpperCase(java.util.Locale.ROOT));
        Ec2Launcher good = launcher(read(withRightSha), "parent-A");
        LaunchedRunner checked = good.launch("r-11", runnerEnv("r-11"));
        assertTrue(REPORTS.poll(BOOT.toSeconds(), TimeUnit.SECONDS) != null, () -> "no call back: " + console());
        assertTrue(checked.diagnostics().contains("bundle SHA-256 " + right + " verified"), checked::diagnostics);
        await().atMost(Duration.ofSeconds(60)).until(() -> !checked.isAlive());
    }

    @Test
    void livenessIsOneDescribeInstancesPerIntervalForAllRunnersAndSeesAnInstanceGone() throws Exception {
        answer = "stay";
        Ec2Launcher launcher = launcher("liveness", "parent-A", Map.of(), List.of("t3.small"));
        List<LaunchedRunner> runners = new ArrayList<>();
        for (String id : List.of("r-20", "r-21", "r-22")) {
            runners.add(launcher.launch(id, runnerEnv(id)));
        }
        for (int i = 0; i < runners.size(); i++) {
            assertTrue(REPORTS.poll(BOOT.toSeconds(), TimeUnit.SECONDS) != null, () -> "no call back: " + console());
        }
        // the pool's timer asks every runner often; EC2 is asked once per 5 s interval for all of them
        int before = fx.box.calls("DescribeInstances");
        long start = System.nanoTime();
        while (System.nanoTime() - start < Duration.ofSeconds(12).toNanos()) {
            runners.forEach(r -> assertTrue(r.isAlive()));
            Thread.sleep(50);
        }
        int calls = fx.box.calls("DescribeInstances") - before;
        assertTrue(calls >= 1 && calls <= 4, "DescribeInstances calls in 12 s for 3 runners: " + calls);
        // an instance terminated behind the launcher's back is seen gone at the next reading, the others not
        String goneId = runners.get(1).describe().replace("instance ", "");
        fx.ec2Client.terminateInstances(b -> b.instanceIds(goneId));
        await().atMost(Duration.ofSeconds(15)).until(() -> !runners.get(1).isAlive());
        assertTrue(runners.get(0).isAlive() && runners.get(2).isAlive());
        runners.forEach(LaunchedRunner::terminate);
    }

    @Test
    void orphanCleanUpTakesOnlyInstancesWhoseLeasePassedNeverThoseOfLiveReplicas() throws Exception {
        answer = "stay";
        // a parent that launched a runner and then died: its lease is never refreshed
        Ec2Launcher dead = launcher("orphans", "parent-dead", Map.of(), List.of("t3.small"));
        LaunchedRunner orphan = dead.launch("r-7", runnerEnv("r-7"));
        // a live replica of the same app and pool, and another app's parent
        Ec2Launcher replica = launcher("orphans", "parent-replica", Map.of(), List.of("t3.small"));
        LaunchedRunner replicaRunner = replica.launch("r-8", runnerEnv("r-8"));
        replica.startHousekeeping(true);
        Ec2Launcher otherApp = launcher("other-app", "parent-dead", Map.of(), List.of("t3.small"));
        LaunchedRunner otherAppRunner = otherApp.launch("r-9", runnerEnv("r-9"));
        long launched = System.nanoTime();
        // the successor starts: its first sweep finds the orphan's lease still valid
        Ec2Launcher successor = launcher("orphans", "parent-new", Map.of(), List.of("t3.small"));
        assertEquals(List.of(), successor.terminateOrphans(), "nothing is taken before its lease passes");
        successor.startHousekeeping(true);
        String orphanId = orphan.describe().replace("instance ", "");
        await("the orphan terminated").atMost(LEASE.plus(LEASE.dividedBy(3)).plusSeconds(15))
                .pollInterval(Duration.ofMillis(250)).until(() -> !fx.box.instance(orphanId).isLive());
        long reapedMs = (System.nanoTime() - launched) / 1_000_000;
        LOG.info("orphan " + orphanId + " terminated " + reapedMs + " ms after its launch (lease " + LEASE + ")");
        assertTrue(reapedMs >= LEASE.minusSeconds(2).toMillis(), "taken before its lease passed: " + reapedMs + " ms");
        assertEquals("terminated by TerminateInstances", fx.box.instance(orphanId).stateReason);
        // for a further lease, the replica's runner stays: its parent keeps refreshing its lease
        String replicaId = replicaRunner.describe().replace("instance ", "");
        await("the replica's runner stays").during(LEASE).atMost(LEASE.plusSeconds(10))
                .pollInterval(Duration.ofMillis(250)).until(() -> fx.box.instance(replicaId).isLive());
        assertTrue(replica.leaseRefreshes() >= 3, "refreshes: " + replica.leaseRefreshes());
        assertTrue(otherAppRunner.isAlive(), "other apps' runners are never taken");
        Instant lease = Instant.parse(fx.box.instance(replicaId).tagsCopy().get("flame:lease-until"));
        assertTrue(lease.isAfter(Instant.now().plus(LEASE.dividedBy(2))), "refreshed lease " + lease);
        replicaRunner.terminate();
        otherAppRunner.terminate();
    }

    @Test
    void autoConfigureReadsTheParentInstanceOverImdsV2() {
        fx.box.parentMetadata(Map.of("ami-id", "ami-0parent", "instance-type", "m7i.large", "mac", "0e:00:00:00:00:01",
                "network/interfaces/macs/0e:00:00:00:00:01/subnet-id", "subnet-0parent",
                "network/interfaces/macs/0e:00:00:00:00:01/security-group-ids", "sg-01\nsg-02",
                "local-ipv4", fx.box.gateway(), "placement/region", "eu-central-1",
                "iam/info", "{\"Code\":\"Success\",\"InstanceProfileArn\":\"arn:aws:iam::1:instance-profile/app\"}"));
        InstanceMetadata md = InstanceMetadata.fetch(null);
        assertEquals(new InstanceMetadata("ami-0parent", "m7i.large", "subnet-0parent", List.of("sg-01", "sg-02"),
                Optional.of("arn:aws:iam::1:instance-profile/app"), fx.box.gateway(), "eu-central-1"), md);
        Ec2Settings s = new Ec2SettingsReader().read(ConfigBackendContext.of(
                FlamePoolConfig.builder("box").max(2).backend("ec2").build(), Map.of(
                "flame.ec2.auto-configure", "true", "flame.ec2.bundle-url", bundle.toString()), "parent-box"));
        assertEquals(Optional.of("ami-0parent"), s.imageId());
        assertEquals(Optional.of(fx.box.gateway()), s.parentAddress());
        // and runners are told to connect there, with no flame.parent.url or flame.parent.host set
        assertEquals(null, System.getProperty("flame.parent.url"));
        assertEquals(null, System.getProperty("flame.parent.host"));
        FlameBackend backend = new Ec2BackendFactory().create(ConfigBackendContext.of(
                FlamePoolConfig.builder("box").max(2).backend("ec2").build(), Map.of(
                "flame.ec2.auto-configure", "true", "flame.ec2.bundle-url", bundle.toString(),
                "flame.ec2.app", "it-auto", "flame.ec2.endpoint", fx.box.endpoint().toString(),
                "flame.ec2.s3-endpoint", fx.s3.endpoint().toString()), "parent-box"));
        try {
            String address = ((RemoteBackend) backend).parentAddress();
            assertTrue(address.startsWith(fx.box.gateway() + ":"), address);
        } finally {
            backend.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private Ec2Launcher launcher(String app, String parentId, Map<String, String> env, List<String> types) {
        return launcher(app, parentId, env, types, bundle);
    }

    private Ec2Launcher launcher(String app, String parentId, Map<String, String> env, List<String> types,
            URI bundleUrl) {
        return launcher(read(launcherSettings(app, env, types, bundleUrl)), parentId);
    }

    /** The settings of a launcher, by {@code flame.ec2.*} name, to add to before {@link #read}. */
    private static Map<String, String> launcherSettings(String app, Map<String, String> env, List<String> types,
            URI bundleUrl) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("app", "it-" + app);
        m.put("image-id", "ami-0box");
        m.put("instance-type", String.join(",", types));
        m.put("subnet-id", "subnet-0box");
        m.put("security-group-ids", "sg-0box");
        m.put("region", BoxFixture.REGION);
        m.put("endpoint", fx.box.endpoint().toString());
        m.put("s3-endpoint", fx.s3.endpoint().toString());
        m.put("bundle-url", bundleUrl.toString());
        m.put("env", env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(",")));
        m.put("tags", "team=media");
        m.put("lease-duration", LEASE.toMillis() + "ms");
        return m;
    }

    /** Reads settings as a parent does, from {@code flame.ec2.*} keys. */
    private static Ec2Settings read(Map<String, String> settings) {
        Map<String, String> keys = new LinkedHashMap<>();
        settings.forEach((k, v) -> keys.put("flame.ec2." + k, v));
        return new Ec2SettingsReader().read(ConfigBackendContext.of(
                FlamePoolConfig.builder("box").max(2).backend("ec2").build(), keys, "parent-box"));
    }

    private Ec2Launcher launcher(Ec2Settings settings, String parentId) {
        Ec2Launcher launcher = new Ec2Launcher(settings, Ec2Clients.ec2(settings), Ec2Clients.presigner(settings),
                parentId, BOOT);
        launchers.add(launcher);
        return launcher;
    }

    private static Map<String, String> runnerEnv(String runnerId) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(RunnerEnv.RUNNER, "true");
        env.put(RunnerEnv.RUNNER_ID, runnerId);
        env.put(RunnerEnv.POOL, "box");
        env.put(RunnerEnv.JOIN_TOKEN, "token-" + runnerId);
        // the fake runner reports to this test over HTTP (FakeRunnerBundle), not over the runner channel
        env.put(FakeRunnerBundle.REPORT_URL, "http://" + fx.box.gateway() + ":" + parent.getAddress().getPort()
                + "/register");
        env.put(RunnerEnv.HTTP_PORT, "9080");
        return env;
    }

    private static Instance describe(String instanceId) {
        return fx.ec2Client.describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0);
    }

    private static Map<String, String> tags(Instance instance) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Tag t : instance.tags()) {
            tags.put(t.key(), t.value());
        }
        return tags;
    }

    private static List<String> liveInstancesSeenBySdk() {
        return fx.ec2Client.describeInstances(b -> b.filters(f -> f.name("instance-state-name")
                .values("pending", "running"))).reservations().stream().flatMap(r -> r.instances().stream())
                .map(Instance::instanceId).toList();
    }

    private static String console() {
        StringBuilder b = new StringBuilder();
        fx.box.instances().forEach(i -> b.append("== ").append(i.id).append(' ').append(i.state).append('\n')
                .append(i.consoleOutput()));
        return b.toString();
    }
}
