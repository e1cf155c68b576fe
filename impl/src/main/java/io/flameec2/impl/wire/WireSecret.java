package io.flameec2.impl.wire;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The shared secret of one runner: 32 random bytes, base64url without padding, handed to the runner in
 * {@code FLAME_SECRET}. A fresh one for every runner, so a leaked secret (an instance's env file) is worth
 * nothing once that runner is gone.
 */
public final class WireSecret {

    private static final SecureRandom RANDOM = new SecureRandom();

    private WireSecret() {
    }

    /**
     * A fresh secret.
     *
     * @return 32 random bytes, base64url without padding
     */
    public static String generate() {
        return random(32);
    }

    /**
     * A random nonce for one request.
     *
     * @return 16 random bytes, base64url without padding
     */
    static String nonce() {
        return random(16);
    }

    /**
     * The key bytes of a secret.
     *
     * @param secret the base64url secret
     * @return its bytes
     * @throws IllegalArgumentException when the secret is missing, not base64url, or shorter than 16 bytes
     */
    public static byte[] decode(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("the runner secret is missing");
        }
        byte[] key;
        try {
            key = Base64.getUrlDecoder().decode(secret.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the runner secret is not base64url", e);
        }
        if (key.length < 16) {
            throw new IllegalArgumentException("the runner secret is too short (" + key.length + " bytes, 16 at least)");
        }
        return key;
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
