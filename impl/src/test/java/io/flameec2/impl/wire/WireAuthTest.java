package io.flameec2.impl.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireAuthTest {

    private static final byte[] BODY = "hello".getBytes(StandardCharsets.UTF_8);
    private final String secret = WireSecret.generate();
    private final WireAuth parent = new WireAuth(secret);
    private final WireAuth runner = new WireAuth(secret);

    @Test
    void signedRequestVerifies() {
        Map<String, String> h = parent.signRequest("POST", "/call", BODY);
        assertEquals(WireAuth.Verdict.OK, runner.verifyRequest("POST", "/call", h::get, BODY));
    }

    @Test
    void secretsAreFreshAndLongEnough() {
        assertNotEquals(WireSecret.generate(), WireSecret.generate());
        assertEquals(32, WireSecret.decode(WireSecret.generate()).length);
    }

    @Test
    void forgedSignatureIsRefused() {
        Map<String, String> h = new WireAuth(WireSecret.generate()).signRequest("POST", "/call", BODY);
        assertEquals(WireAuth.Verdict.BAD_SIGNATURE, runner.verifyRequest("POST", "/call", h::get, BODY));
    }

    @Test
    void tamperedBodyPathOrMethodIsRefused() {
        Map<String, String> h = parent.signRequest("POST", "/call", BODY);
        assertEquals(WireAuth.Verdict.BAD_SIGNATURE, runner.verifyRequest("POST", "/call", h::get,
                "hellO".getBytes(StandardCharsets.UTF_8)));
        assertEquals(WireAuth.Verdict.BAD_SIGNATURE, runner.verifyRequest("POST", "/shutdown", h::get, BODY));
        assertEquals(WireAuth.Verdict.BAD_SIGNATURE, runner.verifyRequest("PUT", "/call", h::get, BODY));
    }

    @Test
    void replayIsRefused() {
        Map<String, String> h = parent.signRequest("POST", "/call", BODY);
        assertEquals(WireAuth.Verdict.OK, runner.verifyRequest("POST", "/call", h::get, BODY));
        assertEquals(WireAuth.Verdict.REPLAY, runner.verifyRequest("POST", "/call", h::get, BODY));
    }

    @Test
    void expiredAndFutureTimestampsAreRefused() {
        Instant now = Instant.now();
        WireAuth past = new WireAuth(secret, Duration.ofSeconds(30), Clock.fixed(now.minusSeconds(31), ZoneOffset.UTC));
        WireAuth future = new WireAuth(secret, Duration.ofSeconds(30), Clock.fixed(now.plusSeconds(31), ZoneOffset.UTC));
        Map<String, String> old = past.signRequest("POST", "/call", BODY);
        Map<String, String> early = future.signRequest("POST", "/call", BODY);
        assertEquals(WireAuth.Verdict.EXPIRED, runner.verifyRequest("POST", "/call", old::get, BODY));
        assertEquals(WireAuth.Verdict.EXPIRED, runner.verifyRequest("POST", "/call", early::get, BODY));
    }

    @Test
    void missingOrMalformedHeadersAreRefused() {
        Map<String, String> h = parent.signRequest("POST", "/call", BODY);
        for (String header : new String[] {WireAuth.TIMESTAMP, WireAuth.NONCE, WireAuth.SIGNATURE}) {
            Map<String, String> partial = new HashMap<>(h);
            partial.remove(header);
            assertEquals(WireAuth.Verdict.NO_CREDENTIALS, runner.verifyRequest("POST", "/call", partial::get, BODY),
                    header);
        }
        Map<String, String> bad = new HashMap<>(h);
        bad.put(WireAuth.TIMESTAMP, "yesterday");
        assertEquals(WireAuth.Verdict.NO_CREDENTIALS, runner.verifyRequest("POST", "/call", bad::get, BODY));
        assertEquals(WireAuth.Verdict.NO_CREDENTIALS, runner.verifyRequest("POST", "/call", k -> null, BODY));
    }

    @Test
    void replyIsBoundToTheRequestNonceAndStatus() {
        Map<String, String> req = parent.signRequest("POST", "/call", BODY);
        String nonce = req.get(WireAuth.NONCE);
        Map<String, String> reply = runner.signReply(200, "/call", nonce, BODY);
        assertEquals(WireAuth.Verdict.OK, parent.verifyReply(200, "/call", nonce, reply::get, BODY));
        assertEquals(WireAuth.Verdict.BAD_SIGNATURE, parent.verifyReply(500, "/call", nonce, reply::get, BODY));
        String otherNonce = parent.signRequest("POST", "/call", BODY).get(WireAuth.NONCE);
        assertEquals(WireAuth.Verdict.BAD_SIGNATURE, parent.verifyReply(200, "/call", otherNonce, reply::get, BODY));
        Map<String, String> imposter = new WireAuth(WireSecret.generate()).signReply(200, "/call", nonce, BODY);
        assertEquals(WireAuth.Verdict.BAD_SIGNATURE, parent.verifyReply(200, "/call", nonce, imposter::get, BODY));
    }
}
