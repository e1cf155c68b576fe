package io.flameec2.impl.backend.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameConfigurationException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code bundle-url=s3://bucket/prefix/}: the parent uploads its own bundle there, with its digest. */
class Ec2BundlePrefixTest {

    @Test
    void aPrefixEndsInASlashAndTakesNoDigest() {
        assertTrue(settings("s3://bundles/shop/").bundlePrefix());
        assertTrue(settings("s3://bundles/").bundlePrefix(), "the bucket's root");
        assertFalse(settings("s3://bundles/shop/runner.zip").bundlePrefix());
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> read(Map.of(P + "image-id", "ami-1", P + "bundle-url", "s3://bundles/shop/",
                        P + "bundle-sha256", "a".repeat(64))));
        assertEquals("flame.pools.p.ec2.bundle-sha256", e.key());
        assertTrue(e.getMessage().contains("the parent computes the SHA-256"), e.getMessage());
    }

    @Test
    void anHttpsDirectoryIsNoPrefix() {
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> settings("https://example.com/shop/"));
        assertEquals("flame.pools.p.ec2.bundle-url", e.key());
    }

    private static final String P = "flame.pools.p.ec2.";

    private static Ec2Settings settings(String url) {
        return read(Map.of(P + "image-id", "ami-1", P + "bundle-url", url));
    }

    static Ec2Settings read(Map<String, String> values) {
        return new Ec2SettingsReader(uri -> {
            throw new AssertionError("no metadata without auto-configure");
        }, () -> Optional.of("shop")).read(MapBackendContext.of("p", values));
    }
}
