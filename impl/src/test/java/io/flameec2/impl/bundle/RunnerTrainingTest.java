package io.flameec2.impl.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
        WarmStart start = WarmStart.prepare(server, dir, java, output);
        assertEquals(WarmStart.Kind.TRAINED, start.kind());
        assertEquals(Optional.of("-XX:AOTCache=" + cache), start.jvmOption());
        // the warm workarea was copied into the runner's own output directory
        assertEquals("warm", Files.readString(output.resolve("flamerunner/workarea/platform/state")));
    }

    @Test
    void onJava17TheRunnerGetsTheWarmWorkareaAndNoAotCache() throws Exception {
        Path java = java("17.0.15");
        Path dir = tmp.resolve("runner-1.0-abc");
        RunnerTraining.Server server = fakeServer();
        assertTrue(RunnerTraining.train(server, dir, java, Duration.ofMinutes(2)));
        assertFalse(Files.exists(RunnerTraining.aotCache(dir, java)));
        assertFalse(Files.readString(tmp.resolve("jvm-args")).contains("AOTCacheOutput"),
                "Java 17 knows no -XX:AOTCacheOutput and would not start with it");
        Path output = Files.createDirectories(tmp.resolve("out/r-1"));
        WarmStart start = WarmStart.prepare(server, dir, java, output);
        assertEquals(WarmStart.Kind.TRAINED, start.kind());
        assertEquals(Optional.empty(), start.jvmOption());
        assertTrue(start.describe(java, true).contains("Java 17.0.15 at " + java + " is older than 25"), start.describe(java, true));
        assertTrue(Files.isRegularFile(output.resolve("flamerunner/workarea/platform/state")));
    }

    @Test
    void anUntrainedServersRunnersStartColdWithNothingAdded() throws Exception {
        Path output = Files.createDirectories(tmp.resolve("out/r-1"));
        WarmStart start = WarmStart.prepare(fakeServer(), tmp.resolve("runner-x"), java("25.0.1"), output);
        assertEquals(WarmStart.Kind.COLD, start.kind());
        assertEquals(Optional.empty(), start.jvmOption());
        assertFalse(Files.exists(output.resolve("flamerunner")));
    }

    @Test
    void theImageScriptTrainsTheBundleWhereItIsAndMarksTheWorkarea() throws Exception {
        for (String version : List.of("25.0.1", "17.0.15")) {
            Path bundle = tmp.resolve("bundle-" + version);
            Path wlp = TrainingFixture.server(bundle, "wlp").wlp();
            Path script = Files.createDirectories(wlp.resolve("usr/servers/flamerunner"))
                    .resolve(RunnerTraining.IMAGE_SCRIPT);
            Files.writeString(script, RunnerTraining.imageScript("flamerunner"));
            Path java = Files.createDirectories(bundle.resolve("jdk/bin")).resolve("java");
            Files.writeString(java, "#!/bin/sh\necho '    java.version = " + version + "' >&2\n");
            java.toFile().setExecutable(true);
            Path output = bundle.resolve("output");
            Path aot = bundle.resolve("runner.aot");

            String out = run(Map.of("WLP_OUTPUT_DIR", output.toString(), "JAVA_HOME", java.getParent().getParent()
                    .toString()), "bash", script.toString(), aot.toString());

            String mark = Files.readString(output.resolve("flamerunner/workarea/" + RunnerTraining.IMAGE_MARK));
            assertTrue(mark.startsWith("trained in this image on ") && mark.contains("by Java " + version), mark);
            assertEquals(version.startsWith("25"), Files.isRegularFile(aot), "an AOT cache on Java 25 only: " + out);
            assertEquals("aot-training", Files.readString(bundle.resolve("runner-id")).trim(),
                    "it ran as the training runner");
        }
    }

    @Test
    void theImageScriptSaysWhatIsWrongOutsideABundleAndWhenNoWorkareaIsLeft() throws Exception {
        Path loose = Files.createDirectories(tmp.resolve("loose/a/b/c")).resolve(RunnerTraining.IMAGE_SCRIPT);
        Files.writeString(loose, RunnerTraining.imageScript("flamerunner"));
        Process outside = new ProcessBuilder("bash", loose.toString()).redirectErrorStream(true).start();
        String said = new String(outside.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(outside.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(2, outside.exitValue(), said);
        assertTrue(said.contains("no Liberty installation at " + tmp.resolve("loose").toRealPath()), said);

        // a Liberty whose server run leaves nothing behind
        Path wlp = tmp.resolve("empty/wlp");
        Path server = Files.createDirectories(wlp.resolve("bin")).resolve("server");
        Files.writeString(server, "#!/bin/sh\nexit 1\n");
        Path script = Files.createDirectories(wlp.resolve("usr/servers/flamerunner")).resolve(RunnerTraining.IMAGE_SCRIPT);
        Files.writeString(script, RunnerTraining.imageScript("flamerunner"));
        Path output = tmp.resolve("empty/output");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        pb.environment().put("WLP_OUTPUT_DIR", output.toString());
        Process none = pb.start();
        said = new String(none.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(none.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, none.exitValue(), said);
        assertTrue(said.contains("the training run left no workarea in " + output + "/flamerunner: see its logs there"),
                said);
    }

    @Test
    void theImageScriptIsCleanBash(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve(RunnerTraining.IMAGE_SCRIPT), RunnerTraining.imageScript("flamerunner"));
        assertEquals("", run(Map.of(), "shellcheck", "--severity=style", "--shell=bash", script.toString()));
    }

    private static String run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    private Path java(String version) throws IOException {
        return TrainingFixture.java(tmp, version);
    }

    private RunnerTraining.Server fakeServer() throws IOException {
        return TrainingFixture.server(tmp, "wlp");
    }
}
