package io.flameec2.impl.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates every message between a parent and a runner, both ways, with HMAC-SHA256 under the runner's
 * secret over {@code method, path, timestamp, nonce, SHA-256(body)}. Requests carry a fresh nonce; a reply
 * is signed with the request's nonce and the pseudo-method {@code REPLY <status>}, so it cannot be replayed
 * for another request and an imposter's reply is never deserialized.
 *
 * <p>A verifier keeps the nonces it accepted within the timestamp window; a nonce seen twice, or a
 * timestamp outside the window, is refused. Everything is checked on raw bytes, before anything is decoded.
 * Instances are thread-safe.
 */
public final class WireAuth {

    /** Request and reply header: milliseconds since the epoch when the message was signed. */
    public static final String TIMESTAMP = "X-Flame-Timestamp";
    /** Request header: a fresh random nonce; replies are signed with the request's nonce. */
    public static final String NONCE = "X-Flame-Nonce";
    /** Request and reply header: base64url HMAC-SHA256. */
    public static final String SIGNATURE = "X-Flame-Signature";
    /** Registration header: the runner id, selecting the secret the parent verifies with. */
    public static final String RUNNER = "X-Flame-Runner";

    /** The default window either side of now in which a timestamp is accepted. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);

    /** Why a message was refused, or {@link #OK}. */
    public enum Verdict {
        /** Authentic and fresh. */
        OK("ok"),
        /** A header is missing or malformed. */
        NO_CREDENTIALS("no credentials"),
        /** The signature does not match. */
        BAD_SIGNATURE("bad signature"),
        /** The nonce was already used within the window. */
        REPLAY("replayed nonce"),
        /** The timestamp is outside the window. */
        EXPIRED("expired or future timestamp");

        private final String reason;

        Verdict(String reason) {
            this.reason = reason;
        }

        /**
         * For logs and 401 bodies.
         *
         * @return a short reason
         */
        public String reason() {
            return reason;
        }
    }

    private final byte[] key;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Long> seenNonces = new LinkedHashMap<>();

    /**
     * Creates signing and verification with a runner's secret.
     *
     * @param secret the base64url secret ({@link WireSecret})
     * @param window how far a timestamp may be from now
     * @param clock the clock, for tests
     */
    public WireAuth(String secret, Duration window, Clock clock) {
        this.key = WireSecret.decode(secret);
        this.window = window;
        this.clock = clock;
    }

    /**
     * Creates signing and verification with the default window and the system clock.
     *
     * @param secret the base64url secret
     */
    public WireAuth(String secret) {
        this(secret, DEFAULT_WINDOW, Clock.systemUTC());
    }

    /**
     * Signs a request with a fresh nonce.
     *
     * @param method the HTTP method
     * @param path the route, such as {@code /call}
     * @param body the body bytes
     * @return the headers to send ({@link #TIMESTAMP}, {@link #NONCE}, {@link #SIGNATURE})
     */
    public Map<String, String> signRequest(String method, String path, byte[] body) {
        return sign(method, path, WireSecret.nonce(), body);
    }

    /**
     * Signs a reply to a request.
     *
     * @param status the HTTP status of the reply
     * @param path the route of the request
     * @param requestNonce the request's nonce
     * @param body the reply body
     * @return the headers to send ({@link #TIMESTAMP}, {@link #SIGNATURE})
     */
    public Map<String, String> signReply(int status, String path, String requestNonce, byte[] body) {
        Map<String, String> headers = sign("REPLY " + status, path, requestNonce, body);
        headers.remove(NONCE);
        return headers;
    }

    /**
     * Verifies a request: signature, timestamp window, then the nonce (recorded if everything else holds).
     *
     * @param method the HTTP method
     * @param path the route
     * @param headers the request's headers by name (case as in the constants)
     * @param body the body bytes
     * @return the verdict
     */
    public Verdict verifyRequest(String method, String path, UnaryOperator<String> headers, byte[] body) {
        String nonce = headers.apply(NONCE);
        Verdict verdict = verify(method, path, nonce, headers.apply(TIMESTAMP), headers.apply(SIGNATURE), body);
        if (verdict != Verdict.OK) {
            return verdict;
        }
        return remember(nonce) ? Verdict.OK : Verdict.REPLAY;
    }

    /**
     * Verifies a reply to a request this side sent (bound to the request's nonce, so no replay cache).
     *
     * @param status the reply's HTTP status
     * @param path the route of the request
     * @param requestNonce the nonce the request was signed with
     * @param headers the reply's headers by name
     * @param body the reply body
     * @return the verdict
     */
    public Verdict verifyReply(int status, String path, String requestNonce, UnaryOperator<String> headers,
            byte[] body) {
        return verify("REPLY " + status, path, requestNonce, headers.apply(TIMESTAMP), headers.apply(SIGNATURE),
                body);
    }

    private Verdict verify(String method, String path, String nonce, String timestamp, String signature,
            byte[] body) {
        if (nonce == null || nonce.isEmpty() || nonce.length() > 128 || timestamp == null || signature == null) {
            return Verdict.NO_CREDENTIALS;
        }
        long ts;
        byte[] given;
        try {
            ts = Long.parseLong(timestamp.trim());
            given = Base64.getUrlDecoder().decode(signature.trim());
        } catch (IllegalArgumentException e) {
            return Verdict.NO_CREDENTIALS;
        }
        byte[] expected = mac(method, path, ts, nonce, body);
        if (!MessageDigest.isEqual(expected, given)) {
            return Verdict.BAD_SIGNATURE;
        }
        long now = clock.millis();
        if (Math.abs(now - ts) > window.toMillis()) {
            return Verdict.EXPIRED;
        }
        return Verdict.OK;
    }

    private synchronized boolean remember(String nonce) {
        long now = clock.millis();
        // insertion order is time order: drop nonces older than twice the window (they would be EXPIRED)
        for (Iterator<Long> it = seenNonces.values().iterator(); it.hasNext();) {
            if (it.next() < now - 2 * window.toMillis()) {
                it.remove();
            } else {
                break;
            }
        }
        return seenNonces.putIfAbsent(nonce, now) == null;
    }

    private Map<String, String> sign(String method, String path, String nonce, byte[] body) {
        long ts = clock.millis();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(TIMESTAMP, Long.toString(ts));
        headers.put(NONCE, nonce);
        headers.put(SIGNATURE, Base64.getUrlEncoder().withoutPadding().encodeToString(mac(method, path, ts, nonce, body)));
        return headers;
    }

    private byte[] mac(String method, String path, long timestamp, String nonce, byte[] body) {
        try {
            String bodyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            String canonical = method + "\n" + path + "\n" + timestamp + "\n" + nonce + "\n" + bodyHash;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256/SHA-256 unavailable in this JVM", e);
        }
    }
}
