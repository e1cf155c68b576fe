package io.flameec2.it.warm;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.it.LibertyServer;
import io.flameec2.it.process.RunnerBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, a new build's first runners: a real Open Liberty parent whose {@code process} pool has no bundle (its
 * runners run the parent's own WAR) makes and trains the runner server of its first build; restarted with a
 * second build, which adds a CDI bean and does not train (so nothing else can warm its runners), its first runner
 * starts with the first build's training inherited, minus that build's application caches, and runs the second
 * build's code, the new bean included.
 */
class NewBuildWarmStartIT {

    private static final String CONFIG = """
            flame.pools.p.max=1
            flame.pools.p.backend=process
            flame.pools.p.boot-timeout=3m
            flame.pools.p.timeout=3m
            flame.pools.p.idle-shutdown-after=10m
            flame.parent.host=127.0.0.1
            """;
    private static LibertyServer server;
    private static Path work;

    @BeforeAll
    static void startParentWithTheFirstBuild() throws Exception {
        work = Files.createTempDirectory("flame-warm-work"); // this user's alone, as the backend requires
        Path first = Files.createTempFile("flame-warm-first", ".war");
        RunnerBundle.war(first, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties", CONFIG),
                Greeting.class, BuildWork.class, BuildServlet.class);
        server = LibertyServer.create("parent-warm").deploy("app", first, "/app")
                .jvmOption("-Dflame.pools.p.process.work-dir=" + work);
        server.start("/app/build/ready", r -> r.statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            RunnerBundle.delete(work);
        }
    }

    @Test
    void theSecondBuildsFirstRunnerStartsWithTheFirstBuildsTrainingAndRunsTheSecondBuild() throws Exception {
        assertTrue(get("/app/build/work").startsWith("first build on a runner, pid "));
        // the pool started training its runner server when it was created
        Path firstServer = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> trained().stream().findFirst(), java.util.Optional::isPresent).orElseThrow();

        server.stop();
        Path second = Files.createTempFile("flame-warm-second", ".war");
        RunnerBundle.war(second, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties",
                CONFIG + "flame.pools.p.process.train=false\n"),
                Greeting.class, SecondBuildGreeting.class, BuildWork.class, BuildServlet.class);
        server.redeploy("app", second);
        server.start("/app/build/ready", r -> r.statusCode() == 200);

        String answer = get("/app/build/work");
        assertTrue(answer.startsWith("second build on a runner, pid "),
                "the runner runs the second build and its new bean: " + answer);
        String log = Files.readString(server.messagesLog());
        assertTrue(log.contains("runners start with the workarea of " + firstServer.getFileName()
                + " (trained for another build of the application, as this runner server is not trained)"),
                "the parent's log says how its runner started");
        assertEquals(List.of(firstServer), trained(), "the second build was not trained: its runner inherited");
        try (Stream<Path> dirs = Files.list(work)) {
            assertEquals(2, dirs.filter(d -> d.getFileName().toString().startsWith("runner-")).count(),
                    "a runner server per build");
        }
        assertFalse(log.contains("runners start cold"), "no runner of the second build started cold");
    }

    /** The runner servers in the work directory that were trained. */
    private static List<Path> trained() throws IOException {
        try (Stream<Path> dirs = Files.list(work)) {
            return dirs.filter(d -> {
                try (Stream<Path> warm = Files.list(d.resolve("warm"))) {
                    return warm.anyMatch(w -> w.getFileName().toString().startsWith("workarea-"));
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        }
    }

    private static String get(String path) throws Exception {
        return server.getOk(path);
    }
}
