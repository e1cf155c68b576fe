package io.flameec2.impl.backend.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.bundle.LibertyInstallation;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.remote.RunnerLauncher.LaunchedRunner;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process pool without a bundle runs the parent's own WAR with the parent's Liberty installation: built once
 * per application content, however many pools want it first at the same time. The installation here is a
 * stand-in whose {@code bin/server} records how it was started (a real Liberty runs in the integration tests).
 */
class SelfBuiltServerTest {

    private static final String WORK_KEY = "flame.pools.p.process.work-dir";

    @TempDir
    Path tmp;

    @Test
    void twoPoolsFirstUsingItAtOnceBuildTheRunnerServerOnceAndRunItWithTheParentsLiberty() throws Exception {
        Path wlp = fakeLiberty();
        Path war = war("v1");
        Path work = tmp.resolve("work");
        List<SelfBuiltServer> sources = new ArrayList<>();
        List<ProcessLauncher> launchers = new ArrayList<>();
        for (String pool : List.of("a", "b")) {
            SelfBuiltServer source = new SelfBuiltServer(pool, wlp, () -> Optional.of(war), () -> "1.0",
                    "flame.pools." + pool + ".process.bundle");
            sources.add(source);
            launchers.add(new ProcessLauncher(pool, source, Path.of(System.getProperty("java.home")), work, WORK_KEY,
                    Map.of(), System.getenv(), false));
        }
        int launches = 6;
        CyclicBarrier together = new CyclicBarrier(launches);
        ExecutorService threads = Executors.newFixedThreadPool(launches);
        try {
            List<Future<LaunchedRunner>> started = new ArrayList<>();
            for (int i = 0; i < launches; i++) {
                ProcessLauncher launcher = launchers.get(i % 2);
                String runnerId = (i % 2 == 0 ? "a-" : "b-") + i;
                started.add(threads.submit((Callable<LaunchedRunner>) () -> {
                    together.await();
                    return launcher.launch(runnerId, Map.of("FLAME_RUNNER", "true"));
                }));
            }
            for (Future<LaunchedRunner> f : started) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(1, sources.get(0).builds() + sources.get(1).builds(), "builds of the runner server");
        Path[] dirs;
        try (var entries = Files.list(work)) {
            dirs = entries.filter(p -> !p.getFileName().toString().startsWith(".")).toArray(Path[]::new);
        }
        assertEquals(1, dirs.length, List.of(dirs).toString());
        Path runnerDir = dirs[0];
        assertTrue(runnerDir.getFileName().toString().startsWith("runner-1.0-"), runnerDir.toString());
        Path server = runnerDir.resolve("usr/servers/flamerunner");
        assertEquals("v1", version(server.resolve("apps/app.war")), "the runner's copy of the application");
        try (InputStream xml = getClass().getResourceAsStream("/io/flameec2/impl/bundle/runner/server.xml")) {
            assertArrayEquals(xml.readAllBytes(), Files.readAllBytes(server.resolve("server.xml")),
                    "liberty-config's runner server.xml");
        }
        for (int i = 0; i < launches; i++) {
            Path started = runnerDir.resolve("output/" + (i % 2 == 0 ? "a-" : "b-") + i + "/started");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(started));
            Map<String, String> env = environ(started);
            assertEquals("run flamerunner", env.get("ARGS"));
            assertEquals(runnerDir.resolve("usr").toString(), env.get("WLP_USER_DIR"));
            assertEquals(started.getParent().toString(), env.get("WLP_OUTPUT_DIR"));
        }
        launchers.forEach(ProcessLauncher::close);
    }

    @Test
    void theRunnerServerIsMadeWhenTheLauncherIsPreparedAndTheFirstLaunchFindsItMade() throws Exception {
        Path work = tmp.resolve("work");
        Path war = war("v1");
        SelfBuiltServer source = new SelfBuiltServer("p", fakeLiberty(), () -> Optional.of(war), () -> "1.0",
                "flame.pools.p.process.bundle");
        ProcessLauncher launcher = new ProcessLauncher("p", source, Path.of(System.getProperty("java.home")), work,
                WORK_KEY, Map.of(), System.getenv(), false);
        try {
            launcher.prepare();
            assertEquals(1, source.builds());
            Path runnerDir;
            try (var entries = Files.list(work)) {
                runnerDir = entries.filter(p -> p.getFileName().toString().startsWith("runner-1.0-")).findFirst()
                        .orElseThrow();
            }
            assertEquals("v1", version(runnerDir.resolve("usr/servers/flamerunner/apps/app.war")),
                    "made before any launch");
            launcher.launch("p-1", Map.of("FLAME_RUNNER", "true"));
            assertEquals(1, source.builds(), "the launch used what was prepared");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(runnerDir.resolve("output/p-1/started")));
        } finally {
            launcher.close();
        }
    }

    @Test
    void aNewBuildOfTheApplicationGetsItsOwnRunnerServerAndTheSameBuildIsFoundAgain() throws Exception {
        Path wlp = fakeLiberty();
        Path work = tmp.resolve("work");
        ProcessWorkDir.prepare(work, WORK_KEY);
        Path war = war("v1");
        RunnerServer first = new SelfBuiltServer("p", wlp, () -> Optional.of(war), () -> "1.0", "k").prepare(work);
        SelfBuiltServer again = new SelfBuiltServer("p", wlp, () -> Optional.of(war), () -> "1.0", "k");
        assertEquals(first, again.prepare(work), "a parent restarted with the same application");
        assertEquals(0, again.builds());
        Files.write(war, warBytes("v2")); // the application was rebuilt: same file, new content
        Files.setLastModifiedTime(war, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        SelfBuiltServer changed = new SelfBuiltServer("p", wlp, () -> Optional.of(war), () -> "1.0", "k");
        RunnerServer second = changed.prepare(work);
        assertEquals(1, changed.builds());
        assertNotEquals(first.userDir(), second.userDir());
        assertEquals("v2", version(second.userDir().orElseThrow().resolve("servers/flamerunner/apps/app.war")));
    }

    @Test
    void anUndeployedApplicationFailsTheLaunchNamingTheBundleKey() throws Exception {
        Path work = tmp.resolve("work");
        ProcessWorkDir.prepare(work, WORK_KEY);
        SelfBuiltServer source = new SelfBuiltServer("p", fakeLiberty(), Optional::empty, () -> "1.0",
                "flame.pools.p.process.bundle");
        Exception e = assertThrows(java.io.IOException.class, () -> source.prepare(work));
        assertTrue(e.getMessage().contains("set flame.pools.p.process.bundle"), e.getMessage());
    }

    @Test
    void withoutABundleOutsideLibertyTheDeploymentFailsNamingTheKey() {
        String before = System.getProperty(LibertyInstallation.PROPERTY);
        System.clearProperty(LibertyInstallation.PROPERTY);
        try {
            FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                    () -> new ProcessBackendFactory().launcher(ConfigBackendContext.of(
                            FlamePoolConfig.builder("p").max(1).backend("process").build(),
                            Map.of(WORK_KEY, tmp.resolve("work").toString()), "parent-1")));
            assertEquals("flame.pools.p.process.bundle", e.key());
            assertTrue(e.getMessage().contains("outside an Open Liberty server"), e.getMessage());
        } finally {
            if (before != null) {
                System.setProperty(LibertyInstallation.PROPERTY, before);
            }
        }
    }

    @Test
    void anExplicitBundleWinsOverTheParentsOwnApplication() throws Exception {
        Path bundle = tmp.resolve("runner.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(bundle))) {
            zip.putNextEntry(new ZipEntry("wlp/bin/server"));
            zip.write("#!/bin/sh\necho \"$*\" > \"$WLP_OUTPUT_DIR/started-from-bundle\"\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("wlp/usr/servers/mine/server.xml"));
            zip.write("<server/>\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        Path work = tmp.resolve("work");
        String before = System.getProperty(LibertyInstallation.PROPERTY);
        System.setProperty(LibertyInstallation.PROPERTY, fakeLiberty().toString()); // as inside Liberty
        ProcessLauncher launcher = null;
        try {
            launcher = (ProcessLauncher) new ProcessBackendFactory().launcher(ConfigBackendContext.of(
                    FlamePoolConfig.builder("p").max(1).backend("process").build(),
                    Map.of(WORK_KEY, work.toString(), "flame.pools.p.process.bundle", bundle.toString()), "parent-1"));
            launcher.launch("p-1", Map.of("FLAME_RUNNER", "true"));
            Path started;
            try (var entries = Files.list(work)) {
                started = entries.filter(d -> d.getFileName().toString().startsWith("runner.zip-")).findFirst()
                        .orElseThrow().resolve("output/p-1/started-from-bundle");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(started));
            assertEquals("run mine", Files.readString(started).trim());
            try (var entries = Files.list(work)) {
                assertTrue(entries.noneMatch(d -> d.getFileName().toString().startsWith("runner-")),
                        "no runner server was made of the parent");
            }
        } finally {
            if (launcher != null) {
                launcher.close();
            }
            if (before == null) {
                System.clearProperty(LibertyInstallation.PROPERTY);
            } else {
                System.setProperty(LibertyInstallation.PROPERTY, before);
            }
        }
    }

    /** A stand-in Liberty installation whose {@code bin/server} records its arguments and environment. */
    private Path fakeLiberty() throws Exception {
        Path wlp = tmp.resolve("wlp");
        Path server = wlp.resolve("bin/server");
        if (!Files.exists(server)) {
            Files.createDirectories(server.getParent());
            Files.writeString(server, "#!/bin/sh\n{ cat /proc/$$/environ; printf 'ARGS=%s\\0' \"$*\"; } > \"$WLP_OUTPUT_DIR/tmp\"\n"
                    + "mv \"$WLP_OUTPUT_DIR/tmp\" \"$WLP_OUTPUT_DIR/started\"\n");
            Files.setPosixFilePermissions(server, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return wlp;
    }

    private Path war(String content) throws Exception {
        return Files.write(tmp.resolve("app.war"), warBytes(content));
    }

    /** What the test application's class path says, in a runner's copy of it (laid out: ScanFreeLayout). */
    private static String version(Path copy) throws Exception {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(copy.toFile())) {
            return new String(zip.getInputStream(zip.getEntry("WEB-INF/classes/version.txt")).readAllBytes(),
                    StandardCharsets.UTF_8);
        }
    }

    private static byte[] warBytes(String content) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("WEB-INF/classes/version.txt"));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static Map<String, String> environ(Path file) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String entry : Files.readString(file, StandardCharsets.UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }
}
