package io.flameec2.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.untrusted.CanaryComparator;
import com.example.untrusted.Outsider;
import io.flameec2.impl.remote.RunnerEnv;
import io.flameec2.impl.wire.WireAuth;
import io.flameec2.impl.wire.WireCall;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireFilter;
import io.flameec2.it.process.ProcessPool;
import io.flameec2.it.process.RunnerBundle;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.impl.pool.FlamePoolEngine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.management.BadAttributeValueExpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against the call endpoint of a real Liberty runner process. Each request carries a call
 * whose target would leave a marker file if it ran; the payloads that attack deserialization leave a canary
 * file if they are read. Every request must be refused with the right status, with neither file written,
 * and the runner must go on serving its parent.
 *
 * <p>Authenticated attacks (a holder of the runner's secret sending a gadget) use the secret read from the
 * runner JVM's environment, which a process of the same user can do; they test the allow-list on its own.
 */
class HostileInputIT {

    private static final String POOL = "hostile";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static FlamePoolEngine pool;
    private static String runner;
    private static URI call;
    private static String secret;
    private static final WireCodec ENCODER = new WireCodec(WireFilter.defaults());
    private Path marker;
    private Path canary;

    @BeforeAll
    static void runner() throws Exception {
        pool = ProcessPool.create(ProcessPool.config(POOL).max(1).build(), Suite.bundle(), e -> { });
        runner = whereIs();
        String[] pidPort = runner.split(":");
        call = URI.create("http://127.0.0.1:" + pidPort[1] + RunnerBundle.CONTEXT_ROOT + "/flame/runner/call");
        secret = Suite.environ(Long.parseLong(pidPort[0])).get(RunnerEnv.SECRET);
        assertNotNull(secret, "the runner's secret (" + RunnerEnv.SECRET + ") is not in its environment");
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.shutdown().orTimeout(1, TimeUnit.MINUTES).join();
        }
    }

    @BeforeEach
    void files() throws Exception {
        Path dir = Files.createTempDirectory("flame-hostile");
        marker = dir.resolve("target-ran");
        canary = dir.resolve("canary");
    }

    private static String whereIs() throws Exception {
        return (String) pool.submit(new FlameInvocation.Closure(new ReliabilityTasks.WhereAmI()), Duration.ofMinutes(1))
                .get(3, TimeUnit.MINUTES);
    }

    // ------------------------------------------------------------------ unauthenticated

    @Test
    void noCredentials() throws Exception {
        byte[] body = call(gadget());
        assertRefused(401, send(Map.of(), body));
    }

    @Test
    void wrongHmac() throws Exception {
        byte[] body = call(gadget());
        Map<String, String> headers = new WireAuth("not-the-runner-secret-" + UUID.randomUUID())
                .signRequest("POST", "/call", body);
        assertRefused(401, send(headers, body));
    }

    @Test
    void signatureOfAnotherBody() throws Exception {
        Map<String, String> headers = auth().signRequest("POST", "/call", call("harmless"));
        assertRefused(401, send(headers, call(gadget())));
    }

    @Test
    void expiredTimestamp() throws Exception {
        byte[] body = call(gadget());
        Clock fiveMinutesAgo = Clock.fixed(Instant.now().minus(Duration.ofMinutes(5)), ZoneOffset.UTC);
        Map<String, String> headers = new WireAuth(secret, WireAuth.DEFAULT_WINDOW, fiveMinutesAgo)
                .signRequest("POST", "/call", body);
        assertRefused(401, send(headers, body));
    }

    @Test
    void replayedRequest() throws Exception {
        byte[] body = call("harmless");
        Map<String, String> headers = auth().signRequest("POST", "/call", body);
        HttpResponse<String> first = send(headers, body);
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(Files.exists(marker), "the genuine request must run (else the replay proves nothing)");
        Files.delete(marker);
        assertRefused(401, send(headers, body));
    }

    @Test
    void oversizedBody() throws Exception {
        byte[] body = new byte[(int) WireFilter.DEFAULT_MAX_BYTES + 1];
        assertRefused(413, send(auth().signRequest("POST", "/call", body), body));
    }

    // ------------------------------------------------------------------ authenticated, hostile graph

    @Test
    void deepObjectGraph() throws Exception {
        ArrayList<Object> deep = new ArrayList<>();
        ArrayList<Object> level = deep;
        for (int i = 0; i < 2 * WireFilter.DEFAULT_MAX_DEPTH; i++) {
            ArrayList<Object> inner = new ArrayList<>();
            level.add(inner);
            level = inner;
        }
        byte[] body = call(deep);
        HttpResponse<String> r = send(auth().signRequest("POST", "/call", body), body);
        assertRefused(400, r);
        assertTrue(r.body().contains(WireFilter.MAX_DEPTH), r.body());
    }

    @Test
    void knownDeserializationGadgetChain() throws Exception {
        Serializable gadget = gadget();
        assertPositiveControl(gadget);
        byte[] body = call(gadget);
        HttpResponse<String> r = send(auth().signRequest("POST", "/call", body), body);
        assertRefused(400, r);
        assertTrue(r.body().contains(CanaryComparator.class.getName()), r.body());
    }

    @Test
    void knownDeserializationGadgetClass() throws Exception {
        // the entry point of ysoserial's CommonsCollections5; this JDK no longer calls toString() in its
        // readObject (so it has no live positive control here), but an allow-list must refuse it by name
        byte[] body = call(new BadAttributeValueExpException("x"));
        HttpResponse<String> r = send(auth().signRequest("POST", "/call", body), body);
        assertRefused(400, r);
        assertTrue(r.body().contains(BadAttributeValueExpException.class.getName()), r.body());
    }

    @Test
    void classOutsideTheAllowList() throws Exception {
        Outsider outsider = new Outsider(canary.toString());
        assertPositiveControl(outsider);
        byte[] body = call(outsider);
        HttpResponse<String> r = send(auth().signRequest("POST", "/call", body), body);
        assertRefused(400, r);
        assertTrue(r.body().contains(Outsider.class.getName()) && r.body().contains(WireFilter.ALLOW), r.body());
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A live gadget chain: {@code java.util.PriorityQueue} (allowed, like all of {@code java.util}) whose
     * {@code readObject} calls its comparator, a class outside the allow-list that writes the canary.
     */
    private Serializable gadget() throws Exception {
        PriorityQueue<Object> queue = new PriorityQueue<>(2, new CanaryComparator(canary.toString()));
        queue.add("a");
        queue.add("b"); // compares here, in the test JVM: not what is under test
        Files.deleteIfExists(canary);
        return queue;
    }

    /** Proves the payload is live: read without the filter, it writes the canary. */
    private void assertPositiveControl(Serializable payload) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(payload);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            in.readObject();
        }
        assertTrue(Files.exists(canary), "the payload did not reach its canary when read without the filter");
        Files.delete(canary);
    }

    private byte[] call(Serializable payload) {
        FlameInvocation target = new FlameInvocation.Closure(new ReliabilityTasks.Target(marker.toString(), payload));
        return ENCODER.encode(new WireCall("hostile-" + UUID.randomUUID(), 60_000, target));
    }

    private static WireAuth auth() {
        return new WireAuth(secret);
    }

    private static HttpResponse<String> send(Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(call).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(req::header);
        return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertRefused(int status, HttpResponse<String> response) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertFalse(Files.exists(marker), "the target code ran on the runner");
        assertFalse(Files.exists(canary), "the gadget reached its canary on the runner");
        assertEquals(runner, whereIs(), "the runner must still serve its parent, as the same process");
    }
}
