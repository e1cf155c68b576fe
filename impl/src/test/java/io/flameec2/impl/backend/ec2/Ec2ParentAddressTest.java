package io.flameec2.impl.backend.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.remote.RemoteSettings;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** With auto-configure, runners connect to the parent instance's private address unless the parent's is set. */
class Ec2ParentAddressTest {

    private static final String P = "flame.pools.p.ec2.";
    private static final String BUNDLE = "s3://bucket/runner.zip";

    @Test
    void theInstancesPrivateAddressUnlessUrlOrHostIsSet() {
        Ec2Settings auto = new Ec2SettingsReader(uri -> new InstanceMetadata("ami-1", "t3.small", "subnet-1",
                List.of("sg-1"), Optional.empty(), "10.1.2.3", "eu-west-1"), () -> Optional.of("shop"))
                .read(MapBackendContext.of("p", Map.of(P + "bundle-url", BUNDLE, P + "auto-configure", "true")));
        assertEquals(Optional.of(URI.create("tls://10.1.2.3")), advertised(auto, Map.of()));
        assertEquals(Optional.of(URI.create("tls://10.9.9.9:7443")), advertised(auto,
                Map.of(RemoteSettings.PARENT_URL, "tls://10.9.9.9:7443")), "flame.parent.url wins (NAT)");
        assertEquals(Optional.empty(), advertised(auto, Map.of(RemoteSettings.PARENT_HOST, "10.0.0.7")),
                "flame.parent.host: the bound address is advertised (several interfaces)");
        Ec2Settings manual = Ec2BundlePrefixTest.read(Map.of(P + "image-id", "ami-1", P + "bundle-url", BUNDLE));
        assertEquals(Optional.empty(), advertised(manual, Map.of()), "without auto-configure: as before");
    }

    private static Optional<URI> advertised(Ec2Settings settings, Map<String, String> values) {
        ConfigLookup config = ConfigLookup.of(values);
        return Ec2BackendFactory.advertiseInstanceAddress(RemoteSettings.read(config), settings, config).parentUrl();
    }
}
