package io.flameec2.it.ec2;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameBootException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.event.FlamePoolEvent;
import io.flameec2.event.RunnerReady;
import io.flameec2.impl.backend.ec2.Ec2BackendFactory;
import io.flameec2.impl.backend.process.ProcessWorkDir;
import io.flameec2.impl.bundle.DeployedApplication;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.spi.FlameBackend;
import io.flameec2.it.LibertyServer;
import io.flameec2.it.process.RunnerBundle;
import io.flameec2.spi.FlameInvocation;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * End to end through EC2-in-a-box: this JVM is the parent (the pool engine with the {@code ec2} backend,
 * found by its name like in production, AWS endpoints overridden to the box); runners are Open Liberty
 * servers booted by the product's user-data from a bundle presigned out of s3proxy, running the runner WAR.
 * The Liberty runners' bundle is the parent's own: the pool's {@code bundle-url} is only an S3 prefix, and the
 * parent (here playing a Liberty server: {@code wlp.install.dir} and its deployed WAR are set as Liberty would)
 * packages and uploads its application, as in production; after a new build of the application, the next
 * runner runs the new code.
 */
class Ec2EndToEndIT {

    private static final Logger LOG = Logger.getLogger(Ec2EndToEndIT.class.getName());
    private static final String APP_VERSION = "e2e-box";

    private static BoxFixture fx;
    private static Path work;
    private static URI libertyBundle;
    private static URI silentBundle;
    private final List<FlamePoolEvent> events = new CopyOnWriteArrayList<>();
    private FlamePoolEngine pool;
    private FlameBackend backend;

    @BeforeAll
    static void buildBundles() throws Exception {
        Optional<String> unsupported = Ec2Box.unsupportedReason();
        Assumptions.assumeTrue(unsupported.isEmpty(), () -> "skipped: " + unsupported.orElse(""));
        // the parent's settings (no MicroProfile Config in this JVM: system properties)
        System.setProperty("flame.parent.host", BoxNetwork.GATEWAY);
        System.setProperty("flame.app-version", APP_VERSION);
        System.setProperty("flame.serialization.allow", E2eTask.class.getName() + ";" + CodeTask.class.getName());
        work = Files.createTempDirectory("fec2-e2e");
        // what a Liberty parent has: its installation, and its deployed WAR
        Path runtime = Path.of(System.getProperty("flame.it.liberty.zip", "target/box/openliberty-runtime.zip"));
        Sh.run("unzip", "-q", runtime.toString(), "-d", work.toString());
        System.setProperty("wlp.install.dir", work.resolve("wlp").toString());
        DeployedApplication.record(application("v1", APP_VERSION));
        fx = new BoxFixture();
        libertyBundle = URI.create("s3://" + BoxFixture.BUCKET + "/e2e/");
        silentBundle = fx.upload("e2e/silent.zip", FakeRunnerBundle.zip());
    }

    /** A build of the application: the runner WAR, the test's closures, its configuration and a code marker. */
    private static Path application(String code, String appVersion) throws Exception {
        Path war = work.resolve("app-" + code + ".war");
        RunnerBundle.war(war, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties",
                "flame.app-version=" + appVersion + "\nflame.serialization.allow=" + E2eTask.class.getName() + ";"
                        + CodeTask.class.getName() + "\n", "WEB-INF/classes/e2e-code.txt", code), E2eTask.class,
                CodeTask.class);
        return war;
    }

    @AfterAll
    static void cleanUp() throws Exception {
        // leave this JVM's configuration as we found it for the test classes that follow
        System.clearProperty("flame.parent.host");
        System.clearProperty("flame.app-version");
        System.clearProperty("flame.serialization.allow");
        System.clearProperty("wlp.install.dir");
        DeployedApplication.record(null);
        if (fx != null) {
            fx.close();
            assertEquals(List.of(), BoxNetwork.namespaces(), "network namespaces leaked");
        }
        if (work != null) {
            Ec2Box.deleteTree(work);
        }
        // the bundles this test's parent packaged in its work directory (the build lock serializes the box tests)
        try (Stream<Path> packaged = Files.list(ProcessWorkDir.defaultDir())) {
            packaged.filter(p -> p.getFileName().toString().matches("\\.?runner-" + APP_VERSION + ".*"))
                    .forEach(Ec2Box::deleteTree);
        } catch (java.io.IOException e) {
            // none
        }
    }

    @AfterEach
    void zeroInstancesRunning() {
        if (pool != null) {
            pool.shutdown().orTimeout(2, TimeUnit.MINUTES).join();
        }
        await().atMost(Duration.ofMinutes(1)).until(() -> fx.box.unterminatedInstanceIds().isEmpty());
        List<String> live = fx.ec2Client.describeInstances(b -> b.filters(f -> f.name("instance-state-name")
                .values("pending", "running"))).reservations().stream().flatMap(r -> r.instances().stream())
                .map(Instance::instanceId).toList();
        assertEquals(List.of(), live);
        assertEquals(List.of(), BoxNetwork.namespaces());
    }

    @Test
    void callsRunOnLibertyRunnersBootedOnEc2() throws Exception {
        pool = pool("e2e", libertyBundle, Duration.ofMinutes(3), Map.of());
        long start = System.nanoTime();
        Object first;
        try {
            first = pool.submit(new FlameInvocation.Closure(new E2eTask(7)), Duration.ofMinutes(4))
                    .get(5, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            BoxInstance last = fx.box.instances().get(fx.box.instances().size() - 1);
            Path journal = last.journal();
            throw new AssertionError("first call failed; runner journal:\n"
                    + (Files.exists(journal) ? Files.readString(journal) : "(gone)"), e);
        }
        long firstMillis = (System.nanoTime() - start) / 1_000_000;
        BoxInstance instance = fx.box.instances().get(fx.box.instances().size() - 1);
        String runnerId = instance.tagsCopy().get("flame:runner-id");
        assertEquals("42 from " + runnerId + " on port 9080", first);
        RunnerReady ready = events.stream().filter(RunnerReady.class::isInstance).map(RunnerReady.class::cast)
                .findFirst().orElseThrow();
        LOG.info("box e2e: runner " + runnerId + " registered " + ready.bootTime().toMillis()
                + " ms after boot started; first call answered after " + firstMillis + " ms");

        // warm: further calls reuse the runner
        for (int i = 1; i <= 5; i++) {
            assertEquals((6 * i) + " from " + runnerId + " on port 9080",
                    pool.submit(new FlameInvocation.Closure(new E2eTask(i)), Duration.ofSeconds(30))
                            .get(1, TimeUnit.MINUTES));
        }
        assertEquals(1, fx.box.instances().stream().filter(BoxInstance::isLive).count());

        pool.shutdown().orTimeout(2, TimeUnit.MINUTES).join();
        pool = null;
        await().atMost(Duration.ofMinutes(1)).until(() -> instance.state == BoxInstance.State.TERMINATED);
    }

    @Test
    void aRunnerThatNeverRegistersIsTerminatedAtBootTimeoutWithItsConsoleInTheError() throws Exception {
        pool = pool("silent", silentBundle, Duration.ofSeconds(15), Map.of("FAKE_BEHAVIOUR", "silent"));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pool.submit(new FlameInvocation.Closure(new E2eTask(1)), Duration.ofMinutes(1))
                        .get(2, TimeUnit.MINUTES));
        FlameBootException boot = assertInstanceOf(FlameBootException.class, e.getCause());
        String message = boot.getMessage();
        assertTrue(message.contains("flame_ec2_init: runner " + boot.runnerId() + ": started flame-runner.service"),
                message);
        assertTrue(message.contains("journalctl -t flame_ec2_init"), message);
        BoxInstance instance = fx.box.instances().get(fx.box.instances().size() - 1);
        await().atMost(Duration.ofMinutes(1)).until(() -> instance.state == BoxInstance.State.TERMINATED);
        assertTrue(instance.stateReason.contains("TerminateInstances"), instance.stateReason);
    }

    /**
     * The parent is redeployed with a new build of its application (another WAR, another version): its next
     * runner runs the new code with no manual step, from a bundle under a key of its own whose digest the
     * runner checked. Then the parent vanishes, and that runner powers off (one runner boot serves both: a
     * Liberty runner in the box takes a minute or more).
     */
    @Test
    void aNewBuildRunsOnTheNextRunnerAndWhenTheParentDiesItsRunnerPowersOff() throws Exception {
        String version = APP_VERSION + "-2";
        DeployedApplication.record(application("v2", version));
        System.setProperty("flame.app-version", version);
        try {
            pool = pool("orphan", libertyBundle, Duration.ofMinutes(3), Map.of());
            assertEquals("v2", pool.submit(new FlameInvocation.Closure(new CodeTask()), Duration.ofMinutes(4))
                    .get(5, TimeUnit.MINUTES));
        } finally {
            DeployedApplication.record(application("v1", APP_VERSION));
            System.setProperty("flame.app-version", APP_VERSION);
        }
        List<String> keys = fx.s3Client.listObjectsV2(b -> b.bucket(BoxFixture.BUCKET).prefix("e2e/runner-"))
                .contents().stream().map(o -> o.key()).toList();
        String key = keys.stream().filter(k -> k.startsWith("e2e/runner-" + version + "-")).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle of " + version + " in " + keys));
        String sha = fx.s3Client.headObject(b -> b.bucket(BoxFixture.BUCKET).key(key)).metadata().get("flame-sha256");
        assertTrue(sha != null && sha.matches("[0-9a-f]{64}"), "digest metadata of " + key + ": " + sha);
        BoxInstance instance = fx.box.instances().get(fx.box.instances().size() - 1);
        String console = instance.consoleOutput(); // where the user-data logs (logger -t flame_ec2_init)
        assertTrue(console.contains("bundle SHA-256 " + sha + " verified"), "the runner checked the digest:\n" + console);

        // the parent vanishes: no heartbeats, no endpoint, no stop request; the pool is abandoned, not shut down
        backend.close();
        pool = null;
        await().atMost(Duration.ofMinutes(2)).until(() -> instance.state == BoxInstance.State.TERMINATED);
        assertTrue(instance.stateReason.contains("powered itself off"), instance.stateReason);
    }

    /**
     * A pre-baked image (README "EC2 backend"): the parent's own bundle unpacked into the image's
     * {@code /opt/flame} beside its SHA-256, and trained there by the bundle's {@code train-image.sh} at the very
     * paths instances see. A runner launched from that image downloads nothing, and Liberty starts from the
     * trained workarea (a clean start would have removed the training's mark from it), then runs calls.
     */
    @Test
    void aRunnerOfAPreBakedTrainedImageDownloadsNothingAndStartsFromItsTraining() throws Exception {
        // the parent uploads its bundle when the pool is created; a pool of the base image does it here
        pool = pool("bake", libertyBundle, Duration.ofMinutes(3), Map.of());
        String key = await().atMost(Duration.ofMinutes(3)).until(() -> fx.s3Client.listObjectsV2(b -> b
                .bucket(BoxFixture.BUCKET).prefix("e2e/runner-" + APP_VERSION + "-")).contents().stream()
                .map(o -> o.key()).filter(k -> k.matches("e2e/runner-" + APP_VERSION + "-[0-9a-f]{16}-ol.*\\.zip"))
                .findFirst(), Optional::isPresent).orElseThrow();
        pool.shutdown().orTimeout(2, TimeUnit.MINUTES).join();
        String sha = fx.s3Client.headObject(b -> b.bucket(BoxFixture.BUCKET).key(key)).metadata().get("flame-sha256");
        Path zip = work.resolve("baked.zip");
        fx.s3Client.getObject(b -> b.bucket(BoxFixture.BUCKET).key(key), zip);

        // the image builder's steps, README's recipe: Java (the host's), the bundle and its digest, the training
        Path opt = work.resolve("image-baked/opt");
        Path home = Files.createDirectories(opt.resolve("flame"));
        Sh.run("unzip", "-q", zip.toString(), "-d", home.toString());
        Files.writeString(home.resolve("bundle.sha256"), sha + "\n");
        // trained where instances see it: the image's /opt mounted on /opt in a mount namespace of its own
        String trained = Sh.run("unshare", "--mount", "bash", "-c", "mount --bind '" + opt + "' /opt && unset JAVA_HOME"
                + " && FLAME_HTTP_PORT=" + LibertyServer.freePort() + " bash /opt/flame/wlp/usr/servers/flamerunner/train-image.sh");
        Path mark = home.resolve("output/flamerunner/workarea/flame-training");
        assertTrue(Files.isRegularFile(mark), "the training's mark in its workarea:\n" + trained);
        fx.box.image("ami-0baked", opt);

        events.clear();
        pool = pool("baked", libertyBundle, Duration.ofMinutes(3), Map.of(), Map.of("flame.ec2.image-id", "ami-0baked"));
        Object answer = pool.submit(new FlameInvocation.Closure(new E2eTask(7)), Duration.ofMinutes(4))
                .get(5, TimeUnit.MINUTES);
        BoxInstance instance = fx.box.instances().get(fx.box.instances().size() - 1);
        assertEquals("ami-0baked", instance.imageId);
        assertEquals("42 from " + instance.tagsCopy().get("flame:runner-id") + " on port 9080", answer);
        String console = instance.consoleOutput();
        assertTrue(console.contains("bundle " + sha + " is pre-baked in this image: not downloading it"), console);
        assertFalse(console.contains("downloading bundle"), console);
        assertTrue(console.contains("the runner starts with the workarea trained in this image (trained in this image"),
                console);
        assertTrue(Files.isRegularFile(instance.dir.resolve("opt/flame/output/flamerunner/workarea/flame-training")),
                "Liberty kept the trained workarea: it did not start clean");
        RunnerReady ready = events.stream().filter(RunnerReady.class::isInstance).map(RunnerReady.class::cast)
                .findFirst().orElseThrow();
        LOG.info("box e2e: runner of the pre-baked, trained image joined in " + ready.bootTime().toMillis() + " ms ("
                + ready.phases().describe() + ")");
        assertTrue(ready.phases().get("bundle") != null, ready.phases().describe());
    }

    private FlamePoolEngine pool(String name, URI bundle, Duration bootTimeout, Map<String, String> env) {
        return pool(name, bundle, bootTimeout, env, Map.of());
    }

    private FlamePoolEngine pool(String name, URI bundle, Duration bootTimeout, Map<String, String> env,
            Map<String, String> overrides) {
        Map<String, String> settings = BoxHarness.ec2Settings(fx, "e2e-" + name, bundle);
        settings.putAll(overrides);
        if (!env.isEmpty()) {
            settings.put("flame.ec2.env", String.join(",", env.entrySet().stream()
                    .map(en -> en.getKey() + "=" + en.getValue()).toList()));
        }
        FlamePoolConfig config = FlamePoolConfig.builder(name).max(1).maxConcurrency(4).bootTimeout(bootTimeout)
                .timeout(Duration.ofMinutes(4)).shutdownTimeout(Duration.ofSeconds(10)).backend("ec2").build();
        backend = new Ec2BackendFactory().create(ConfigBackendContext.of(config, settings, "parent-e2e"));
        return new FlamePoolEngine(config, backend, events::add);
    }

}
