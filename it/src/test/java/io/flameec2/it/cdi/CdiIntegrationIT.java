package io.flameec2.it.cdi;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.it.process.RunnerBundle;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CDI and MicroProfile integration inside a real Open Liberty parent server: the test application (its
 * beans, a servlet driving them, its microprofile-config.properties, with the runner WAR overlaid) is deployed
 * on a parent server; pool "fast" uses the local backend (with the serialization round trip), pool "proc"
 * boots Liberty runner processes from a bundle of the same application. A second application with invalid
 * {@code @FlameRemote} methods must fail to deploy, naming them.
 */
class CdiIntegrationIT {

    private static final Logger LOG = Logger.getLogger(CdiIntegrationIT.class.getName());
    private static final String CONFIG = """
            flame.pools.default.max=1
            flame.pools.fast.max=2
            flame.pools.fast.backend=local
            flame.pools.fast.timeout=20s
            flame.pools.proc.max=1
            flame.pools.proc.backend=process
            flame.pools.proc.boot-timeout=2m
            flame.pools.proc.timeout=3m
            flame.pools.proc.idle-shutdown-after=5m
            flame.parent.host=127.0.0.1
            """;
    private static Path wlp;
    private static Path logs;
    private static int port;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startParentServer() throws Exception {
        Class<?>[] app = {RemoteBean.class, ItServlet.class, EventLog.class, ItServlet.class.getDeclaredClasses()[0]};
        Path war = Files.createTempFile("flame-cdi-app", ".war");
        RunnerBundle.war(war, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties", CONFIG), app);
        Path bundle = RunnerBundle.packageWar(war);
        Path bad = Files.createTempFile("flame-cdi-bad", ".war");
        RunnerBundle.war(bad, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties", CONFIG),
                BadBean.class);

        Path work = Files.createTempDirectory("flame-cdi-parent");
        Path runtime = Path.of(System.getProperty("flame.it.liberty.zip", "target/box/openliberty-runtime.zip"));
        run(work, "unzip", "-q", runtime.toAbsolutePath().toString(), "-d", work.toString());
        wlp = work.resolve("wlp");
        run(work, wlp.resolve("bin/server").toString(), "create", "parent");
        Path server = wlp.resolve("usr/servers/parent");
        port = freePort();
        String xml = Files.readString(Path.of(System.getProperty("flame.it.parent.server.xml",
                "../liberty-config/src/main/liberty/parent/server.xml")))
                .replace("httpPort=\"9080\"", "httpPort=\"" + port + "\"")
                .replace("<webApplication location=\"app.war\" contextRoot=\"/app\"/>",
                        "<webApplication location=\"app.war\" contextRoot=\"/app\"/>\n"
                                + "  <webApplication location=\"bad.war\" contextRoot=\"/bad\"/>");
        Files.writeString(server.resolve("server.xml"), xml);
        Files.writeString(server.resolve("jvm.options"), "-Xmx384m\n-Dflame.pools.proc.process.bundle=" + bundle + "\n");
        Files.createDirectories(server.resolve("apps"));
        Files.copy(war, server.resolve("apps/app.war"));
        Files.copy(bad, server.resolve("apps/bad.war"));
        logs = server.resolve("logs");
        long start = System.nanoTime();
        run(work, wlp.resolve("bin/server").toString(), "start", "parent");
        await().atMost(Duration.ofMinutes(3)).ignoreExceptions()
                .until(() -> get("/it/inject").statusCode() == 200);
        LOG.info("parent server up in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    @AfterAll
    static void stopParentServer() throws Exception {
        if (wlp != null) {
            run(wlp.getParent(), wlp.resolve("bin/server").toString(), "stop", "parent");
            RunnerBundle.delete(wlp.getParent());
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app" + path))
                .timeout(Duration.ofMinutes(4)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String body(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void bothExecutorFormsAreInjected() throws Exception {
        assertEquals("default,fast", body("/it/inject"));
    }

    @Test
    void closuresAndBeanMethodsRunOnThePoolsRunners() throws Exception {
        assertTrue(body("/it/closure").startsWith("closure ran on flame-local-fast"), body("/it/closure"));
        String remote = body("/it/remote");
        assertTrue(remote.startsWith("servlet ran on thread flame-local-fast"), remote);
        assertEquals("144", body("/it/async"));
        await().atMost(Duration.ofSeconds(30)).until(() -> body("/it/events").contains("RunnerReady[pool=fast"));
    }

    @Test
    void aBeanMethodRunsOnALibertyRunnerProcessWhereCdiResolvesTheBean() throws Exception {
        String answer = body("/it/runner");
        LOG.info("remote bean answered: " + answer);
        assertTrue(answer.startsWith("runner proc-"), answer);
        assertTrue(answer.contains("of pool proc"), answer);
        long pid = Long.parseLong(answer.substring(answer.lastIndexOf(' ') + 1));
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void retryRedispatchesEachAttempt() throws Exception {
        assertEquals("succeeded on attempt 3", body("/it/retry"));
    }

    @Test
    void timeoutFallbackCircuitBreakerAndBulkheadWrapTheRemoteCall() throws Exception {
        assertEquals("org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException", body("/it/timeout"));
        assertEquals("fallback for x", body("/it/fallback"));
        String circuit = body("/it/circuit");
        assertTrue(circuit.endsWith("|org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException"),
                circuit);
        // the first call went out and failed remotely; once open, the breaker stops dispatching
        assertTrue(circuit.startsWith("io.flameec2.FlameRemoteException|"), circuit);
        String bulkhead = body("/it/bulkhead");
        assertTrue(bulkhead.contains("BulkheadException") && bulkhead.contains("served"), bulkhead);
    }

    @Test
    void invalidRemoteMethodsFailTheirDeploymentNamingThem() throws Exception {
        Path messages = logs.resolve("messages.log");
        await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(messages)
                && Files.readString(messages).contains("BadBean#sealed()"));
        String log = Files.readString(messages);
        assertTrue(log.contains("io.flameec2.it.cdi.BadBean#sealed(): a @FlameRemote method must not be final"), log);
        assertTrue(log.contains("io.flameec2.it.cdi.BadBean#notSerializable(): return type java.lang.Thread is not serializable"),
                log);
        assertEquals(404, HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bad/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("commands.log").toFile())).start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n"
                    + Files.readString(dir.resolve("commands.log")));
        }
    }
}
