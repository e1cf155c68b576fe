package io.flameec2.it.ec2;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.backend.ec2.Ec2Clients;
import io.flameec2.impl.backend.ec2.Ec2Launcher;
import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.backend.ec2.Ec2Settings;
import io.flameec2.impl.backend.ec2.Ec2SettingsReader;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.RunnerLauncher.LaunchedRunner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The user-data with a real Open Liberty server package (a bare server, minified by {@code server package}):
 * Liberty must come up under the systemd unit on {@code FLAME_HTTP_PORT} at the instance's address, and when
 * Liberty stops, the unit's ExecStopPost must power the instance off (it is then terminated).
 */
class LibertyInTheBoxIT {

    private static final Logger LOG = Logger.getLogger(LibertyInTheBoxIT.class.getName());
    private static final String SERVER_XML = """
            <server>
              <featureManager><feature>servlet-6.0</feature></featureManager>
              <httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="${env.FLAME_HTTP_PORT}" httpsPort="-1"/>
            </server>
            """;

    private static BoxFixture fx;
    private static Path work;
    private static URI bundle;

    @BeforeAll
    static void packageLiberty() throws Exception {
        Optional<String> unsupported = Ec2Box.unsupportedReason();
        Assumptions.assumeTrue(unsupported.isEmpty(), () -> "skipped: " + unsupported.orElse(""));
        Path runtime = Path.of(System.getProperty("flame.it.liberty.zip", "target/box/openliberty-runtime.zip"));
        assertTrue(Files.isRegularFile(runtime), "Open Liberty runtime zip missing at " + runtime);
        work = Files.createTempDirectory("fec2-liberty");
        Sh.run("unzip", "-q", runtime.toString(), "-d", work.toString());
        Sh.run(work.resolve("wlp/bin/server").toString(), "create", "boxrunner");
        Files.writeString(work.resolve("wlp/usr/servers/boxrunner/server.xml"), SERVER_XML);
        Path zip = work.resolve("boxrunner.zip");
        Sh.run(work.resolve("wlp/bin/server").toString(), "package", "boxrunner", "--archive=" + zip,
                "--include=minify");
        fx = new BoxFixture();
        bundle = fx.upload("liberty/boxrunner.zip", zip);
    }

    @AfterAll
    static void cleanUp() {
        if (fx != null) {
            fx.close();
            assertEquals(List.of(), BoxNetwork.namespaces(), "network namespaces leaked");
        }
        if (work != null) {
            Ec2Box.deleteTree(work);
        }
    }

    @Test
    void libertyServesAtTheRunnerUrlAndItsStopPowersTheInstanceOff() throws Exception {
        Ec2Settings settings = new Ec2SettingsReader().read(ConfigBackendContext.of(
                FlamePoolConfig.builder("liberty").max(1).backend("ec2").build(), Map.of(
                "flame.ec2.app", "flame", "flame.ec2.image-id", "ami-0box", "flame.ec2.region", BoxFixture.REGION,
                "flame.ec2.endpoint", fx.box.endpoint().toString(), "flame.ec2.s3-endpoint",
                fx.s3.endpoint().toString(), "flame.ec2.bundle-url", bundle.toString()), "parent-liberty"));
        try (Ec2Launcher launcher = new Ec2Launcher(settings, Ec2Clients.ec2(settings),
                Ec2Clients.presigner(settings), "parent-liberty", Duration.ofMinutes(3))) {
            long start = System.nanoTime();
            LaunchedRunner runner = launcher.launch("r-lib", Map.of(RunnerEnv.RUNNER, "true",
                    RunnerEnv.RUNNER_ID, "r-lib", RunnerEnv.HTTP_PORT, "9080"));
            BoxInstance instance = fx.box.instance(runner.describe().replace("instance ", ""));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI runnerUrl = URI.create("http://" + instance.address + ":9080/");
            try {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                        .failFast("the instance stopped", () -> !instance.isLive())
                        .until(() -> http.send(HttpRequest.newBuilder(runnerUrl).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200); // the welcome page
            } catch (ConditionTimeoutException | TerminalFailureException e) {
                await().atMost(Duration.ofSeconds(60)).until(() -> instance.state == BoxInstance.State.TERMINATED);
                throw new AssertionError("Liberty never answered at " + runnerUrl + "\n" + instance.consoleOutput()
                        + "\n--- journal\n" + instance.journalOutput(), e);
            }
            long upMillis = (System.nanoTime() - start) / 1_000_000;
            LOG.info("box: Liberty answered at " + runnerUrl + " " + upMillis + " ms after RunInstances");
            assertTrue(Files.readString(instance.journal()).contains("CWWKF0011I: The boxrunner server is ready"),
                    Files.readString(instance.journal()));

            // stop Liberty from inside the instance (its mount namespace): ExecStopPost powers the instance off
            long pid = BoxNetwork.pids(instance.namespace).stream().filter(p -> ProcessHandle.of(p)
                    .flatMap(h -> h.info().commandLine()).orElse("").contains("ws-server.jar")).findFirst()
                    .orElseThrow();
            // as the unit's user, with the unit's output directory (where Liberty keeps its command port)
            Sh.run("nsenter", "-t", Long.toString(pid), "-m", "-n", "setpriv", "--reuid=flame-runner",
                    "--regid=flame-runner", "--init-groups", "env", "WLP_OUTPUT_DIR=/opt/flame/output",
                    "/opt/flame/wlp/bin/server", "stop", "boxrunner");
            assertTrue(Files.readString(instance.journal()).contains("as flame-runner"), "Liberty ran as its user");
            await().atMost(Duration.ofSeconds(60)).until(() -> instance.state == BoxInstance.State.TERMINATED);
            String console = instance.consoleOutput();
            assertTrue(console.contains("systemctl poweroff requested"), console);
            assertTrue(console.contains("shutting down: the instance powered itself off"), console);
        }
    }
}
