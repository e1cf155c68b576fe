package io.flameec2.impl.remote;

import io.flameec2.impl.channel.BootMark;
import io.flameec2.impl.channel.Connection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A runner the parent waits for: its one-time join token (only its hash is kept), valid until the boot
 * deadline and burned by the first join that succeeds; where it may join from and what it becomes once
 * joined, both known once it was launched.
 */
final class PendingJoin {

    /** What a joined runner becomes: the listener of its connection. */
    interface Binder extends Function<Connection, Connection.Listener> {
    }

    final String runnerId;
    final String appVersion;
    private final byte[] tokenHash;
    private final long expiresNanos;
    final CompletableFuture<Connection.Listener> joined = new CompletableFuture<>();
    /** What the runner reported of its boot, set before {@link #joined} completes. */
    volatile List<BootMark> bootMarks = List.of();
    /** When its join arrived, on this JVM's monotonic clock, set before {@link #joined} completes. */
    volatile long joinedNanos;
    private volatile JoinOrigin origin;
    private volatile Binder binder;
    private boolean used;

    PendingJoin(String runnerId, String token, long expiresNanos, String appVersion) {
        this.runnerId = runnerId;
        this.tokenHash = hash(token);
        this.expiresNanos = expiresNanos;
        this.appVersion = appVersion;
    }

    /**
     * The runner was launched: from now on it may join, from {@code origin}.
     *
     * @param origin where it may join from
     * @param binder what its connection's frames go to
     */
    void launched(JoinOrigin origin, Binder binder) {
        this.binder = binder;
        this.origin = origin;
    }

    JoinOrigin origin() {
        return origin;
    }

    Binder binder() {
        return binder;
    }

    /** Checks a token; {@code null} when it is good and now burned, else why not. Event loop only. */
    synchronized String redeem(String token) {
        if (!MessageDigest.isEqual(tokenHash, hash(token))) {
            return "wrong join token";
        }
        if (used) {
            return "join token already used";
        }
        if (System.nanoTime() - expiresNanos > 0) {
            return "join token expired (boot-timeout passed)";
        }
        used = true;
        return null;
    }

    private static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A fresh join token: 32 random bytes, base64url.
     *
     * @return the token
     */
    static String newToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
}
