package io.flameec2.it.cdi;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.it.LibertyServer;
import io.flameec2.it.process.RunnerBundle;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
    private static LibertyServer server;

    @BeforeAll
    static void startParentServer() throws Exception {
        Class<?>[] app = {RemoteBean.class, ItServlet.class, EventLog.class, ItServlet.class.getDeclaredClasses()[0]};
        Path war = Files.createTempFile("flame-cdi-app", ".war");
        RunnerBundle.war(war, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties", CONFIG), app);
        Path bundle = RunnerBundle.packageWar(war);
        Path bad = Files.createTempFile("flame-cdi-bad", ".war");
        RunnerBundle.war(bad, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties", CONFIG),
                BadBean.class);

        server = LibertyServer.create("parent").deploy("app", war, "/app").deploy("bad", bad, "/bad")
                .jvmOption("-Dflame.pools.proc.process.bundle=" + bundle);
        Duration took = server.start("/app/it/inject", r -> r.statusCode() == 200);
        LOG.info("parent server up in " + took.toMillis() + " ms");
    }

    @AfterAll
    static void stopParentServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return server.get("/app" + path);
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
        Path messages = server.messagesLog();
        await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(messages)
                && Files.readString(messages).contains("BadBean#sealed()"));
        String log = Files.readString(messages);
        assertTrue(log.contains("io.flameec2.it.cdi.BadBean#sealed(): a @FlameRemote method must not be final"), log);
        assertTrue(log.contains("io.flameec2.it.cdi.BadBean#notSerializable(): return type java.lang.Thread is not serializable"),
                log);
        assertEquals(404, server.get("/bad/").statusCode());
    }
}
