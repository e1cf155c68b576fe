package io.flameec2.it.cdi;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.it.ArquillianServer;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.ShouldThrowException;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CDI and MicroProfile integration inside a real Open Liberty parent server, deployed by Arquillian: the
 * test application (its beans, a servlet and a REST resource driving them, its microprofile-config.properties,
 * with the runner WAR overlaid) is a ShrinkWrap archive built here; pool "fast" uses the local backend (with the
 * serialization round trip), pool "proc" boots Liberty runner processes with no bundle setting: the parent
 * server makes its runners' server of its own deployed WAR and Liberty installation, as an application written
 * from the README does.
 * A second archive with invalid {@code @FlameRemote} methods must fail to deploy, naming them.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CdiIntegrationIT {

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

    @ArquillianResource
    @OperateOnDeployment("cdi")
    URL app;

    @Deployment(name = "cdi", testable = false, order = 1)
    static WebArchive cdi() {
        // no bundle setting: the parent builds its runners' server from its own WAR and Liberty installation
        return ArquillianServer.application("cdi.war", CONFIG, RemoteBean.class, ItServlet.class, EventLog.class,
                ExecutorScenario.class, ItResource.class, ItRestApplication.class);
    }

    @Deployment(name = "bad", testable = false, order = 2)
    @ShouldThrowException(Exception.class) // see ArquillianServer.startFailure
    static WebArchive bad() {
        return ArquillianServer.application("bad.war", CONFIG, BadBean.class);
    }

    private String body(String path) throws Exception {
        HttpResponse<String> r = ArquillianServer.get(app, path);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void bothExecutorFormsAreInjected() throws Exception {
        assertEquals("default,fast", body("it/inject"));
    }

    @Test
    void closuresAndBeanMethodsRunOnThePoolsRunners() throws Exception {
        assertTrue(body("it/closure").startsWith("closure ran on flame-local-fast"), body("it/closure"));
        String remote = body("it/remote");
        assertTrue(remote.startsWith("servlet ran on thread flame-local-fast"), remote);
        assertEquals("144", body("it/async"));
        await().atMost(Duration.ofSeconds(30)).until(() -> body("it/events").contains("RunnerReady[pool=fast"));
    }

    @Test
    void aBeanMethodRunsOnALibertyRunnerProcessWhereCdiResolvesTheBean() throws Exception {
        String answer = body("it/runner");
        assertTrue(answer.startsWith("runner proc-"), answer);
        assertTrue(answer.contains("of pool proc"), answer);
        long pid = Long.parseLong(answer.substring(answer.lastIndexOf(' ') + 1));
        assertRunnerProcess(pid);
        // the runner runs the parent's own WAR, in a runner server the parent made with its Liberty installation
        String environ = Files.readString(Path.of("/proc/" + pid + "/environ"));
        String userDir = Arrays.stream(environ.split("\0")).filter(v -> v.startsWith("WLP_USER_DIR="))
                .map(v -> v.substring("WLP_USER_DIR=".length())).findFirst().orElseThrow(() -> new AssertionError(
                        "the runner has no WLP_USER_DIR: " + environ));
        assertTrue(userDir.matches(".*/flame-process-[^/]+/runner-[^/]+/usr"), userDir);
        assertTrue(Files.isRegularFile(Path.of(userDir, "servers/flamerunner/apps/app.war")), userDir);
        assertTrue(Files.readString(ArquillianServer.messagesLog()).contains("flame pool 'proc': runner server of "),
                "the parent logs the runner server it made");
    }

    @Test
    void closuresWrittenInAServletAndARestResourceRunOnARunnerProcessWithTheDefaultAllowList() throws Exception {
        String servlet = body("it/servlet-closure");
        assertTrue(servlet.startsWith("closure of a servlet ran in pid "), servlet);
        assertRunnerProcess(Long.parseLong(servlet.substring(servlet.lastIndexOf(' ') + 1)));
        String resource = body("api/closure");
        assertTrue(resource.startsWith("closure of a resource ran in pid "), resource);
        assertRunnerProcess(Long.parseLong(resource.substring(resource.lastIndexOf(' ') + 1)));
    }

    @Test
    void theExecutorServesCompletableFutureAndCodeTypedExecutorServiceFromARunnerProcess() throws Exception {
        Map<String, List<String>> answer = Arrays.stream(body("it/executor").split("\n"))
                .map(line -> line.split("=", 2))
                .collect(Collectors.groupingBy(kv -> kv[0], Collectors.mapping(kv -> kv[1], Collectors.toList())));
        long parent = Long.parseLong(answer.get("parent").get(0));
        long runner = Long.parseLong(answer.get("supplyAsync").get(0));
        assertNotEquals(parent, runner, "supplyAsync ran in the parent");
        assertRunnerProcess(runner);
        // submit, invokeAll (two tasks), invokeAny: all on the pool's runner process
        assertEquals(List.of(runner, runner, runner, runner), Arrays.stream(answer.get("submit").get(0).split(","))
                .map(Long::parseLong).toList());
        assertEquals(List.of("IllegalStateException", "IllegalStateException", "IllegalStateException"),
                answer.get("lifecycle"));
        assertEquals(List.of("false"), answer.get("isShutdown"));
    }

    @Test
    void retryRedispatchesEachAttempt() throws Exception {
        assertEquals("succeeded on attempt 3", body("it/retry"));
    }

    @Test
    void timeoutFallbackCircuitBreakerAndBulkheadWrapTheRemoteCall() throws Exception {
        assertEquals("org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException", body("it/timeout"));
        assertEquals("fallback for x", body("it/fallback"));
        String circuit = body("it/circuit");
        assertTrue(circuit.endsWith("|org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException"),
                circuit);
        // the first call went out and failed remotely; once open, the breaker stops dispatching
        assertTrue(circuit.startsWith("io.flameec2.FlameRemoteException|"), circuit);
        String bulkhead = body("it/bulkhead");
        assertTrue(bulkhead.contains("BulkheadException") && bulkhead.contains("served"), bulkhead);
    }

    @Test
    void invalidRemoteMethodsFailTheirDeploymentNamingThem() throws Exception {
        ArquillianServer.startFailure("bad");
        String log = Files.readString(ArquillianServer.messagesLog());
        assertTrue(log.contains("io.flameec2.it.cdi.BadBean#sealed(): a @FlameRemote method must not be final"), log);
        assertTrue(log.contains(
                "io.flameec2.it.cdi.BadBean#notSerializable(): return type java.lang.Thread is not serializable"), log);
        assertEquals(404, ArquillianServer.get(app, "../bad/").statusCode());
    }

    private void assertRunnerProcess(long pid) throws Exception {
        assertNotEquals(Long.parseLong(body("it/pid")), pid, "ran in the parent server's process");
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "no live process " + pid);
    }
}
