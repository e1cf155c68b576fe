package io.flameec2.impl.backend.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.remote.RunnerLauncher.LaunchedRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The process backend's work directory must be the user's alone, and runners get an allow-listed environment. */
class ProcessLauncherTest {

    private static final String KEY = "flame.pools.p.process.work-dir";

    @TempDir
    Path tmp;

    @Test
    void aPreCreatedWorldWritableDirectoryIsRefusedNamingItAndTheKey() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("flame-process"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> ProcessWorkDir.prepare(dir, KEY));
        assertEquals(KEY, e.key());
        assertTrue(e.getMessage().contains(dir + " has mode rwxrwxrwx, open to group or others"), e.getMessage());
        // through the backend too: the deployment fails before any runner is unpacked there
        Path bundle = Files.write(tmp.resolve("runner.zip"), fakeBundle());
        FlameConfigurationException viaFactory = assertThrows(FlameConfigurationException.class,
                () -> new ProcessBackendFactory().create(context(Map.of("flame.pools.p.process.bundle",
                        bundle.toString(), KEY, dir.toString()))));
        assertEquals(KEY, viaFactory.key(), viaFactory.getMessage());
        try (var entries = Files.list(dir)) {
            assertEquals(0, entries.count(), "nothing was unpacked into it");
        }
    }

    @Test
    void aGroupReadableDirectoryASymlinkAndAFileAreRefused() throws Exception {
        Path groupReadable = Files.createDirectory(tmp.resolve("group"));
        Files.setPosixFilePermissions(groupReadable, PosixFilePermissions.fromString("rwxr-x---"));
        assertThrows(FlameConfigurationException.class, () -> ProcessWorkDir.prepare(groupReadable, KEY));
        Path target = Files.createDirectory(tmp.resolve("target"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> ProcessWorkDir.prepare(link, KEY));
        assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThrows(FlameConfigurationException.class, () -> ProcessWorkDir.prepare(file, KEY));
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a directory away");
        Path dir = Files.createDirectory(tmp.resolve("theirs"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(dir, nobody);
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> ProcessWorkDir.prepare(dir, KEY));
        assertTrue(e.getMessage().contains("is owned by nobody"), e.getMessage());
    }

    @Test
    void aMissingDirectoryIsCreatedForTheOwnerOnly() {
        Path dir = tmp.resolve("fresh");
        ProcessWorkDir.prepare(dir, KEY);
        assertEquals("rwx------", permissions(dir));
        ProcessWorkDir.prepare(dir, KEY); // and accepted the next time
    }

    @Test
    void theDefaultDirectoryIsPerUser() {
        assertEquals("flame-process-" + System.getProperty("user.name"),
                ProcessWorkDir.defaultDir().getFileName().toString());
    }

    @Test
    void aRunnerProcessGetsNoVariableOfTheParentOutsideTheAllowList() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/environ")), "needs /proc");
        Map<String, String> parentEnv = new HashMap<>(System.getenv());
        parentEnv.put("AWS_SECRET_ACCESS_KEY", "parent-secret-1");
        parentEnv.put("AWS_SESSION_TOKEN", "parent-secret-2");
        parentEnv.put("GITHUB_TOKEN", "parent-secret-3");
        parentEnv.put("WLP_USER_DIR", "/parent/server/usr");
        parentEnv.put("JVM_ARGS", "-Dparent-secret-4");
        parentEnv.put("FLAME_SECRET", "parent-secret-5");
        parentEnv.put("LANG", "C.UTF-8");
        parentEnv.put("LC_TIME", "en_GB.UTF-8");
        parentEnv.put("TZ", "Europe/Paris");
        Path bundle = Files.write(tmp.resolve("runner.zip"), fakeBundle());
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path work = tmp.resolve("work");
        ProcessLauncher launcher = new ProcessLauncher("p", new UnpackedBundle("p", bundle), javaHome, work, KEY,
                Map.of("APP_MODE", "batch"),
                parentEnv, false);
        try {
            LaunchedRunner runner = launcher.launch("p-1", Map.of("FLAME_RUNNER", "true", "FLAME_SECRET", "own"));
            Path dump = work.resolve(Files.list(work).filter(p -> p.getFileName().toString().startsWith("runner.zip-"))
                    .findFirst().orElseThrow().getFileName()).resolve("output/p-1/environ");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dump) && !runner.isAlive());
            Map<String, String> seen = new TreeMap<>();
            for (String entry : Files.readString(dump, StandardCharsets.UTF_8).split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    seen.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            Set<String> backend = Set.of("FLAME_RUNNER", "FLAME_SECRET", "FLAME_HTTP_PORT", "FLAME_RUNNER_HOST",
                    "WLP_OUTPUT_DIR", "JAVA_HOME", "APP_MODE");
            Set<String> outside = new TreeSet<>(seen.keySet());
            outside.removeIf(k -> backend.contains(k) || RunnerEnvironment.allowed(k));
            assertEquals(Set.of(), outside, "variables of the parent outside the allow-list: " + seen);
            assertFalse(seen.values().stream().anyMatch(v -> v.contains("parent-secret")), seen::toString);
            assertEquals("own", seen.get("FLAME_SECRET"), "the runner's own FLAME_* win");
            assertEquals("batch", seen.get("APP_MODE"), "the pool's env");
            assertEquals("C.UTF-8", seen.get("LANG"));
            assertEquals("en_GB.UTF-8", seen.get("LC_TIME"));
            assertEquals("Europe/Paris", seen.get("TZ"));
            assertEquals(System.getenv("PATH"), seen.get("PATH"));
            assertEquals(javaHome.toString(), seen.get("JAVA_HOME"));
            assertEquals("rwx------", permissions(work));
            // what the runner leaves: its logs; its workarea goes when it ends
            Path server = dump.resolveSibling("fake");
            await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(server.resolve("workarea")));
            assertEquals("ran", Files.readString(server.resolve("logs/messages.log")).trim());
        } finally {
            launcher.close();
        }
    }

    /** A Liberty-shaped zip whose {@code bin/server} saves the environment it was started with, and exits. */
    @ParameterizedTest(name = "env={0}")
    @ValueSource(strings = {"FLAME_FOO=x", "FLAME_RUNNER=false", "WLP_OUTPUT_DIR=/tmp", "JAVA_HOME=/opt/jdk", "1X=y",
        "A=1,A=2", "novalue"})
    void reservedOrMalformedEnvIsRefusedNamingTheKey(String env) throws Exception {
        // every FLAME_* name is the backend's, also those it does not set today
        Path bundle = Files.write(tmp.resolve("runner.zip"), fakeBundle());
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> new ProcessBackendFactory().launcher(context(Map.of("flame.pools.p.process.bundle",
                        bundle.toString(), KEY, tmp.resolve("work").toString(), "flame.process.env", env))));
        assertEquals("flame.pools.p.process.env", e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith("flame.pools.p.process.env: "), e.getMessage());
    }

    private static byte[] fakeBundle() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("wlp/bin/server"));
            // /proc/$$/environ: exactly what the launcher passed, nothing the shell added
            zip.write(("#!/bin/sh\ncat /proc/$$/environ > \"${WLP_OUTPUT_DIR}/environ.tmp\"\n"
                    + "mkdir -p \"${WLP_OUTPUT_DIR}/fake/workarea\" \"${WLP_OUTPUT_DIR}/fake/logs\"\n"
                    + "echo state > \"${WLP_OUTPUT_DIR}/fake/workarea/state\"\n"
                    + "echo ran > \"${WLP_OUTPUT_DIR}/fake/logs/messages.log\"\n"
                    + "mv \"${WLP_OUTPUT_DIR}/environ.tmp\" \"${WLP_OUTPUT_DIR}/environ\"\n")
                    .getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("wlp/usr/servers/fake/server.xml"));
            zip.write("<server/>\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static ConfigBackendContext context(Map<String, String> values) {
        return ConfigBackendContext.of(FlamePoolConfig.builder("p").max(1).backend("process").build(), values, "parent-1");
    }

    private static String permissions(Path dir) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
