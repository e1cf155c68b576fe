package io.flameec2.impl.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a new runner starts: its own training, another build's, or cold. */
class WarmStartTest {

    @TempDir
    Path tmp;

    @Test
    void aNewBuildsRunnerInheritsTheLastBuildsTrainingWithoutItsApplication() throws Exception {
        Path java = TrainingFixture.java(tmp, "25.0.1");
        RunnerTraining.Server wlp = TrainingFixture.server(tmp, "wlp");
        Path work = tmp.resolve("work");
        Path older = work.resolve("runner-1.0-aaa");
        RunnerTraining.train(wlp, older, java, Duration.ofMinutes(2));

        Path newBuild = Files.createDirectories(work.resolve("runner-1.1-bbb"));
        Path output = Files.createDirectories(tmp.resolve("out/r-1"));
        WarmStart start = WarmStart.prepare(wlp, newBuild, java, output);

        assertEquals(WarmStart.Kind.INHERITED, start.kind());
        assertEquals(Optional.of(older), start.trainedDir());
        // the AOT cache is used as it is: the JVM takes only classes whose bytes it holds
        assertEquals(Optional.of("-XX:AOTCache=" + RunnerTraining.aotCache(older, java)), start.jvmOption());
        Path workarea = output.resolve("flamerunner/workarea");
        assertEquals("warm", Files.readString(workarea.resolve("platform/state")));
        assertEquals("components", Files.readString(workarea.resolve("org.eclipse.osgi/10/data/componentMetadataStore")));
        assertFalse(Files.exists(workarea.resolve("org.eclipse.osgi/43/data/anno")),
                "the old build's annotation cache would describe classes the new build may not have");
        assertFalse(Files.exists(workarea.resolve("org.eclipse.osgi/51/data/cache")), "the old build's jars");
        assertFalse(Files.exists(workarea.resolve(".sLock")));
        assertTrue(start.describe(java, true).startsWith("with the workarea of runner-1.0-aaa (trained for another"
                + " build of the application, until this build's training has ended) and the AOT cache "),
                start.describe(java, true));
        assertTrue(start.describe(java, false).contains("as this runner server is not trained"), start.describe(java, false));
        assertEquals("1", Files.readString(tmp.resolve("runs")).trim(), "inheriting runs no training");
    }

    @Test
    void aTrainedServersRunnerGetsItsWholeWorkarea() throws Exception {
        Path java = TrainingFixture.java(tmp, "17.0.15");
        RunnerTraining.Server wlp = TrainingFixture.server(tmp, "wlp");
        Path dir = tmp.resolve("work/runner-1.0-aaa");
        RunnerTraining.train(wlp, dir, java, Duration.ofMinutes(2));
        Path output = Files.createDirectories(tmp.resolve("out/r-1"));

        WarmStart start = WarmStart.prepare(wlp, dir, java, output);

        assertEquals(WarmStart.Kind.TRAINED, start.kind());
        assertTrue(Files.isRegularFile(output.resolve(
                "flamerunner/workarea/org.eclipse.osgi/43/data/anno/A_app_A/C_app_C.data")), "its own application's");
    }

    @Test
    void theLatestTrainingOfTheSameLibertyAndJavaIsInheritedAndNoOther() throws Exception {
        Path java17 = TrainingFixture.java(tmp, "17.0.15");
        Path java25 = TrainingFixture.java(tmp, "25.0.1");
        RunnerTraining.Server wlp = TrainingFixture.server(tmp, "wlp");
        RunnerTraining.Server otherWlp = TrainingFixture.server(tmp, "other-wlp");
        Path work = tmp.resolve("work");
        Path old = work.resolve("runner-1.0-aaa");
        Path latest = work.resolve("runner-1.1-bbb");
        Path otherLiberty = work.resolve("runner-1.2-ccc");
        RunnerTraining.train(wlp, old, java17, Duration.ofMinutes(2));
        RunnerTraining.train(wlp, latest, java17, Duration.ofMinutes(2));
        RunnerTraining.train(otherWlp, otherLiberty, java17, Duration.ofMinutes(2));
        Files.setLastModifiedTime(RunnerTraining.workarea(old, java17), FileTime.from(Instant.now().minusSeconds(600)));
        Files.setLastModifiedTime(RunnerTraining.workarea(otherLiberty, java17), FileTime.from(Instant.now().plusSeconds(60)));
        Path newBuild = Files.createDirectories(work.resolve("runner-1.3-ddd"));

        assertEquals(Optional.of(latest), WarmStart.prepare(wlp, newBuild, java17,
                Files.createDirectories(tmp.resolve("out/r-1"))).trainedDir(), "the latest of this Liberty's");
        assertEquals(WarmStart.Kind.COLD, WarmStart.prepare(wlp, newBuild, java25,
                Files.createDirectories(tmp.resolve("out/r-2"))).kind(), "nothing trained for Java 25");
        Path output = Files.createDirectories(tmp.resolve("out/r-3"));
        assertEquals(WarmStart.Kind.COLD, WarmStart.prepare(TrainingFixture.server(tmp, "third-wlp"), newBuild,
                java17, output).kind(), "a workarea holds its installation's paths and bundles");
        assertFalse(Files.exists(output.resolve("flamerunner")));
    }

    @Test
    void aTrainingOfAnEarlierReleaseThatRecordedNoInstallationIsNotInherited() throws Exception {
        Path java = TrainingFixture.java(tmp, "17.0.15");
        RunnerTraining.Server wlp = TrainingFixture.server(tmp, "wlp");
        Path old = tmp.resolve("work/runner-1.0-aaa");
        RunnerTraining.train(wlp, old, java, Duration.ofMinutes(2));
        try (var marks = Files.newDirectoryStream(old.resolve("warm"), "installation-*")) {
            for (Path mark : marks) {
                Files.delete(mark);
            }
        }
        assertEquals(WarmStart.Kind.COLD, WarmStart.prepare(wlp, Files.createDirectories(tmp.resolve("work/runner-2")),
                java, Files.createDirectories(tmp.resolve("out/r-1"))).kind());
    }

    @Test
    void onlyWhatBelongsToOneApplicationOrOneRunIsLeftOut() throws IOException {
        assertTrue(WarmStart.ofTheApplication(Path.of("org.eclipse.osgi/43/data/anno")));
        assertTrue(WarmStart.ofTheApplication(Path.of("org.eclipse.osgi/43/data/anno/A_app_A/C.data")));
        assertTrue(WarmStart.ofTheApplication(Path.of("org.eclipse.osgi/51/data/cache/com.ibm.ws.app.manager_0")));
        assertTrue(WarmStart.ofTheApplication(Path.of("org.eclipse.osgi/77/data/temp/default_node")));
        assertTrue(WarmStart.ofTheApplication(Path.of(".sCommandAuth")));
        assertFalse(WarmStart.ofTheApplication(Path.of("org.eclipse.osgi/framework.info.2")));
        assertFalse(WarmStart.ofTheApplication(Path.of("org.eclipse.osgi/10/data/componentMetadataStore")));
        assertFalse(WarmStart.ofTheApplication(Path.of("org.eclipse.osgi/8/data/configs.data")));
        assertFalse(WarmStart.ofTheApplication(Path.of("platform/feature.cache")));
    }
}
