package io.flameec2.it.telemetry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.it.LibertyServer;
import io.flameec2.it.process.RunnerBundle;
import io.flameec2.it.telemetry.OtlpReceiver.ReceivedSpan;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Observability end to end (issue #17): a real Open Liberty parent with MicroProfile Telemetry and Health (the
 * parent server.xml as it ships), {@code process} runners from a bundle with the runner server.xml as it ships,
 * both exporting over OTLP/HTTP to a receiver in this test. One {@code @FlameRemote} call must come back as one
 * trace from two processes; the pool metrics must count a scripted scenario (boots, calls, a timeout, a runner
 * SIGKILL, failing boots); {@code /health/ready} must turn DOWN naming a pool whose backend fails to boot
 * runners, and UP again once it boots. The cases run in order: they share the servers and build on each other's
 * calls, as booting Liberty runners costs 15-30 s each.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {

    private static final String CONFIG = """
            flame.pools.traced.max=1
            flame.pools.traced.backend=process
            flame.pools.traced.boot-timeout=2m
            flame.pools.traced.timeout=3m
            flame.pools.traced.idle-shutdown-after=10m
            flame.pools.broken.max=1
            flame.pools.broken.backend=process
            flame.pools.broken.boot-timeout=2m
            flame.pools.broken.idle-shutdown-after=10m
            flame.parent.host=127.0.0.1
            """;
    /** OpenTelemetry's settings, the same for parent and runners but the service name: exports every second. */
    private static final List<String> OTEL = List.of("OTEL_SDK_DISABLED=false", "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "OTEL_METRIC_EXPORT_INTERVAL=1000", "OTEL_BSP_SCHEDULE_DELAY=200", "OTEL_LOGS_EXPORTER=none");

    private static OtlpReceiver receiver;
    private static LibertyServer server;
    private static Path brokenBundle;
    private static Path bundle;
    private static long runnerPid;

    @BeforeAll
    static void startParentWithTelemetry() throws Exception {
        receiver = new OtlpReceiver();
        Path war = Files.createTempFile("flame-obs-app", ".war");
        RunnerBundle.war(war, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties", CONFIG),
                TracedWork.class, ObservabilityServlet.class);
        bundle = RunnerBundle.packageWar(war);
        // not a zip: every boot of pool "broken" fails until the test puts a real bundle here
        brokenBundle = Files.createTempFile("flame-broken-bundle", ".zip");
        Files.writeString(brokenBundle, "not a runner bundle");
        String endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT=" + receiver.endpoint();
        String runnerEnv = String.join(",", OTEL) + ",OTEL_SERVICE_NAME=flame-runner," + endpoint;
        server = LibertyServer.create("parent-obs").deploy("app", war, "/app")
                .jvmOption("-Dflame.pools.traced.process.bundle=" + bundle)
                .jvmOption("-Dflame.pools.traced.process.env=" + runnerEnv)
                .jvmOption("-Dflame.pools.broken.process.bundle=" + brokenBundle);
        OTEL.forEach(server::env);
        server.env("OTEL_SERVICE_NAME=flame-parent").env(endpoint);
        server.start("/app/obs/ready", r -> r.statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (receiver != null) {
                receiver.close();
            }
        }
    }

    private static String get(String path) throws Exception {
        return server.getOk(path);
    }

    @Test
    @Order(1)
    void oneCallIsOneTraceFromTheParentsClientSpanThroughTheRunnersSpanToTheApplicationsSpan() throws Exception {
        String answer = get("/app/obs/work"); // pid=<runner pid> trace=<trace id the app span saw on the runner>
        assertTrue(answer.startsWith("pid="), answer);
        runnerPid = Long.parseLong(answer.substring(4, answer.indexOf(' ')));
        String traceId = answer.substring(answer.indexOf("trace=") + 6);

        ReceivedSpan client = await().atMost(Duration.ofSeconds(30)).until(() -> span("flame-parent",
                s -> s.kind() == SpanKind.SPAN_KIND_CLIENT && "traced".equals(s.attributes().get("flame.pool"))),
                Optional::isPresent).orElseThrow();
        ReceivedSpan run = await().atMost(Duration.ofSeconds(30)).until(() -> span("flame-runner",
                s -> s.kind() == SpanKind.SPAN_KIND_SERVER && s.traceId().equals(client.traceId())),
                Optional::isPresent).orElseThrow();
        ReceivedSpan app = await().atMost(Duration.ofSeconds(30)).until(() -> span("flame-runner",
                s -> s.name().equals("app-work")), Optional::isPresent).orElseThrow();

        // the call joined the caller's trace: Liberty's span of the servlet request that made it
        ReceivedSpan request = await().atMost(Duration.ofSeconds(30)).until(() -> span("flame-parent",
                s -> s.spanId().equals(client.parentSpanId())), Optional::isPresent).orElseThrow();
        assertEquals(SpanKind.SPAN_KIND_SERVER, request.kind(), request.toString());
        assertEquals("/app/obs/work", request.attributes().get("url.path"), request.toString());
        for (ReceivedSpan s : List.of(client, run, app)) { // as README's Observability section shows them
            System.out.printf("%-13s %-9s %-52s trace %s span %s parent %s%n", s.service(),
                    s.kind().name().replace("SPAN_KIND_", ""), s.name(), s.traceId(), s.spanId(),
                    s.parentSpanId().isEmpty() ? "-" : s.parentSpanId());
        }
        assertEquals(traceId, client.traceId(), "the runner's code ran in the parent's trace");
        assertEquals(client.spanId(), run.parentSpanId(), "the runner's span is the child of the parent's");
        assertEquals(run.traceId(), app.traceId());
        assertEquals(run.spanId(), app.parentSpanId(), "the application's span nests under the runner's");
        assertEquals("ok", client.attributes().get("flame.call.outcome"), client.toString());
        assertEquals("bean-method", client.attributes().get("flame.call.kind"), client.toString());
        assertTrue(client.attributes().containsKey("flame.call.queue_wait_ms"), client.toString());
        assertEquals(client.attributes().get("flame.runner.id"), run.attributes().get("flame.runner.id"),
                "both sides name the same runner");
        assertTrue(ProcessHandle.of(runnerPid).map(ProcessHandle::isAlive).orElse(false),
                "the runner span came from a live runner process " + runnerPid);
    }

    @Test
    @Order(2)
    void readinessTurnsDownNamingThePoolWhoseBackendFailsToBootAndUpOnceItBoots() throws Exception {
        assertEquals(200, server.get("/health/ready").statusCode(), server.get("/health/ready").body());
        for (int i = 0; i < 2; i++) {
            String failed = get("/app/obs/broken");
            assertTrue(failed.startsWith("io.flameec2.FlameBootException"), failed);
        }
        HttpResponse<String> down = server.get("/health/ready");
        assertEquals(503, down.statusCode(), down.body());
        System.out.println("/health/ready: " + down.body()); // as README's Observability section shows it
        assertTrue(down.body().contains("\"flame-pool-broken\""), down.body());
        assertTrue(down.body().contains("the last 2 runner boots failed"), down.body());
        assertTrue(down.body().matches("(?s).*\"name\"\\s*:\\s*\"flame-pool-traced\"\\s*,\\s*\"status\"\\s*:\\s*\"UP\".*"),
                "only the broken pool is unhappy: " + down.body());

        Files.copy(bundle, brokenBundle, StandardCopyOption.REPLACE_EXISTING); // the backend can boot again
        assertEquals("booted", get("/app/obs/broken"));
        HttpResponse<String> up = server.get("/health/ready");
        assertEquals(200, up.statusCode(), up.body());
        assertEquals(200, server.get("/health/live").statusCode());
    }

    @Test
    @Order(3)
    void theMetricsCountTheScriptedScenario() throws Exception {
        assertTrue(get("/app/obs/sleepy").startsWith("io.flameec2.FlameTimeoutException"));
        CompletableFuture<String> hanging = CompletableFuture.supplyAsync(() -> {
            try {
                return get("/app/obs/hang");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/app/obs/pools").contains("traced ready=1 booting=0 inFlight=1"));
        ProcessHandle.of(runnerPid).orElseThrow().destroyForcibly(); // SIGKILL
        String lost = hanging.get(2, java.util.concurrent.TimeUnit.MINUTES);
        assertTrue(lost.startsWith("io.flameec2.FlameRunnerLostException"), lost);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, Metric> m = receiver.metrics("flame-parent");
            assertEquals(1, sum(m, "flame.pool.call.failures", Map.of("flame.pool", "traced", "flame.reason", "timeout")));
            assertEquals(1, sum(m, "flame.pool.call.failures", Map.of("flame.pool", "traced", "flame.reason", "runner-lost")));
            assertEquals(2, sum(m, "flame.pool.call.failures", Map.of("flame.pool", "broken", "flame.reason", "boot")));
            assertEquals(1, sum(m, "flame.pool.runner.stops", Map.of("flame.pool", "traced", "flame.reason", "lost")));
            assertEquals(2, sum(m, "flame.pool.runner.stops", Map.of("flame.pool", "broken", "flame.reason", "boot-failed")));
            assertEquals(1, count(m, "flame.pool.runner.boot.duration", Map.of("flame.pool", "traced", "flame.call.outcome", "ok")));
            assertEquals(2, count(m, "flame.pool.runner.boot.duration", Map.of("flame.pool", "broken", "flame.call.outcome", "failed")));
            assertEquals(1, count(m, "flame.pool.runner.boot.duration", Map.of("flame.pool", "broken", "flame.call.outcome", "ok")));
            assertEquals(1, count(m, "flame.pool.call.duration", Map.of("flame.pool", "traced", "flame.call.outcome", "ok")));
            assertEquals(3, count(m, "flame.pool.call.queue_wait", Map.of("flame.pool", "traced")));
            assertEquals(0, gauge(m, "flame.pool.runners", Map.of("flame.pool", "traced", "flame.runner.state", "ready")));
            assertEquals(1, gauge(m, "flame.pool.runners", Map.of("flame.pool", "broken", "flame.runner.state", "ready")));
            assertEquals(0, gauge(m, "flame.pool.calls.in_flight", Map.of("flame.pool", "traced")));
            assertEquals(0, gauge(m, "flame.pool.callers.waiting", Map.of("flame.pool", "traced")));
        });
    }

    private Optional<ReceivedSpan> span(String service, java.util.function.Predicate<ReceivedSpan> which) {
        return receiver.spans().stream().filter(s -> s.service().equals(service)).filter(which).findFirst();
    }

    private static boolean matches(List<KeyValue> attributes, Map<String, String> wanted) {
        return OtlpReceiver.attributes(attributes).entrySet().containsAll(wanted.entrySet());
    }

    /** A counter's value for the attributes. */
    private static long sum(Map<String, Metric> m, String name, Map<String, String> attributes) {
        Metric metric = m.get(name);
        return metric == null ? -1 : metric.getSum().getDataPointsList().stream()
                .filter(p -> matches(p.getAttributesList(), attributes)).mapToLong(p -> p.getAsInt()).sum();
    }

    /** A histogram's count for the attributes. */
    private static long count(Map<String, Metric> m, String name, Map<String, String> attributes) {
        Metric metric = m.get(name);
        return metric == null ? -1 : metric.getHistogram().getDataPointsList().stream()
                .filter(p -> matches(p.getAttributesList(), attributes)).mapToLong(p -> p.getCount()).sum();
    }

    /** An observed up-down counter's value for the attributes. */
    private static long gauge(Map<String, Metric> m, String name, Map<String, String> attributes) {
        return sum(m, name, attributes);
    }
}
