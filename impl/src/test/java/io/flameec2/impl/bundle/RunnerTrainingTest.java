package io.flameec2.impl.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void theJavaReleaseIsReadFromTheInstallationsReleaseFile() throws IOException {
        assertEquals(OptionalInt.of(25), RunnerTraining.feature(java("25.0.1")));
        assertEquals(OptionalInt.of(17), RunnerTraining.feature(java("17.0.15")));
        assertEquals(OptionalInt.of(8), RunnerTraining.feature(java("1.8.0_402")));
        assertEquals(OptionalInt.empty(), RunnerTraining.feature(tmp.resolve("nowhere")));
        assertTrue(RunnerTraining.supported(java("25.0.1")));
        assertTrue(RunnerTraining.supported(java("26-ea")));
        assertFalse(RunnerTraining.supported(java("17.0.15")));
    }

    @Test
    void onJava25TheTrainingMakesTheAotCacheOnceAndRunnersUseIt() throws Exception {
        Path java = java("25.0.1");
        Path dir = tmp.resolve("runner-1.0-abc");
        RunnerTraining.Server server = fakeServer();
        assertTrue(RunnerTraining.train(server, dir, java, Duration.ofMinutes(2)));
        assertFalse(RunnerTraining.train(server, dir, java, Duration.ofMinutes(2)), "trained once");
        assertEquals("1", Files.readString(tmp.resolve("runs")).trim(), "one training run");
        Path cache = RunnerTraining.aotCache(dir, java);
        assertTrue(Files.isRegularFile(cache));

        Path output = Files.createDirectories(tmp.resolve("out/r-1"));
        Optional<String> option = RunnerTraining.prepareRunner(dir, "flamerunner", java, output);
        assertEquals(Optional.of("-XX:AOTCache=" + cache), option);
        // the warm workarea was copied into the runner's own output directory
        assertEquals("warm", Files.readString(output.resolve("flamerunner/workarea/platform/state")));
    }

    @Test
    void onJava17TheRunnerGetsTheWarmWorkareaAndNoAotCache() throws Exception {
        Path java = java("17.0.15");
        Path dir = tmp.resolve("runner-1.0-abc");
        assertTrue(RunnerTraining.train(fakeServer(), dir, java, Duration.ofMinutes(2)));
        assertFalse(Files.exists(RunnerTraining.aotCache(dir, java)));
        assertFalse(Files.readString(tmp.resolve("jvm-args")).contains("AOTCacheOutput"),
                "Java 17 knows no -XX:AOTCacheOutput and would not start with it");
        Path output = Files.createDirectories(tmp.resolve("out/r-1"));
        assertEquals(Optional.empty(), RunnerTraining.prepareRunner(dir, "flamerunner", java, output));
        assertTrue(Files.isRegularFile(output.resolve("flamerunner/workarea/platform/state")));
    }

    @Test
    void anUntrainedServersRunnersStartColdWithNothingAdded() throws Exception {
        Path output = Files.createDirectories(tmp.resolve("out/r-1"));
        assertEquals(Optional.empty(), RunnerTraining.prepareRunner(tmp.resolve("runner-x"), "flamerunner",
                java("25.0.1"), output));
        assertFalse(Files.exists(output.resolve("flamerunner")));
    }

    /** A Java installation as far as its release file goes. */
    private Path java(String version) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("jdk-" + version));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    /**
     * A Liberty installation whose {@code bin/server run} does what a training run leaves behind: a workarea in
     * its output directory and, when asked by {@code -XX:AOTCacheOutput}, the cache file; it counts its runs.
     */
    private RunnerTraining.Server fakeServer() throws IOException {
        Path wlp = tmp.resolve("wlp");
        Path server = Files.createDirectories(wlp.resolve("bin")).resolve("server");
        Files.writeString(server, """
                #!/bin/sh
                n=$(cat "%1$s/runs" 2>/dev/null || echo 0); echo $((n + 1)) > "%1$s/runs"
                echo "$JVM_ARGS" > "%1$s/jvm-args"
                test "$FLAME_RUNNER" = true || exit 3
                mkdir -p "$WLP_OUTPUT_DIR/$2/workarea/platform" && printf warm > "$WLP_OUTPUT_DIR/$2/workarea/platform/state"
                case "$JVM_ARGS" in -XX:AOTCacheOutput=*) printf cache > "${JVM_ARGS#-XX:AOTCacheOutput=}" ;; esac
                """.formatted(tmp));
        Files.setPosixFilePermissions(server, PosixFilePermissions.fromString("rwx------"));
        return new RunnerTraining.Server(wlp, Optional.empty(), "flamerunner");
    }
}
