package io.flameec2.impl.backend.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameConfigurationException;
import java.net.URI;
import java.net.URL;
import java.security.CodeSource;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ec2SettingsReaderTest {

    private static final String P = "flame.pools.thumbs.ec2.";

    private final Ec2SettingsReader reader = new Ec2SettingsReader(uri -> {
        throw new AssertionError("metadata must not be read without auto-configure");
    }, () -> Optional.of("shop"));

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put(P + "image-id", "ami-0abc");
        m.put(P + "bundle-url", "s3://bucket/app/runner.zip");
        return m;
    }

    private Ec2Settings read(Map<String, String> values) {
        return reader.read(MapBackendContext.of("thumbs", values));
    }

    @Test
    void minimalSettingsGetDefaults() {
        Ec2Settings s = read(minimal());
        assertEquals(Optional.of("ami-0abc"), s.imageId());
        assertEquals(List.of("t3.small"), s.instanceTypes());
        assertEquals(List.of(), s.subnetIds());
        assertEquals("shop", s.app(), "app defaults to the application's name");
        assertEquals(Optional.empty(), s.bundleSha256());
        assertEquals(Duration.ofMinutes(3), s.leaseDuration());
        assertEquals(Duration.ofMinutes(1), s.leaseRefreshInterval());
        assertEquals(9080, s.runnerPort());
        assertTrue(s.terminateOrphans());
        assertFalse(s.autoConfigure());
        assertEquals(URI.create("s3://bucket/app/runner.zip"), s.bundleUrl());
    }

    @Test
    void listsPairsAndGlobalDefaultsAreRead() {
        Map<String, String> m = minimal();
        m.put(P + "instance-type", "c7g.large, c6g.large");
        m.put(P + "subnet-id", "subnet-a,subnet-b");
        m.put("flame.ec2.security-group-ids", "sg-1,sg-2");
        m.put("flame.ec2.region", "eu-west-1");
        m.put(P + "region", "us-east-2");
        m.put(P + "tags", "team=media, cost-center=42");
        m.put(P + "env", "JAVA_TOOL_OPTIONS=-Xmx1g,APP_MODE=batch");
        m.put(P + "iam-instance-profile", "arn:aws:iam::1:instance-profile/runner");
        m.put(P + "endpoint", "http://127.0.0.1:4566");
        Ec2Settings s = read(m);
        assertEquals(List.of("c7g.large", "c6g.large"), s.instanceTypes());
        assertEquals(List.of("subnet-a", "subnet-b"), s.subnetIds());
        assertEquals(List.of("sg-1", "sg-2"), s.securityGroupIds());
        assertEquals(Optional.of("us-east-2"), s.region(), "the pool key wins over the global default");
        assertEquals(Map.of("team", "media", "cost-center", "42"), s.tags());
        assertEquals(Map.of("JAVA_TOOL_OPTIONS", "-Xmx1g", "APP_MODE", "batch"), s.env());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:4566")), s.endpoint());
    }

    @Test
    void marketsAreOnDemandUnlessListedInTheOrderToTry() {
        assertEquals(List.of(Market.ON_DEMAND), read(minimal()).markets());
        Map<String, String> m = minimal();
        m.put("flame.ec2.market", "spot");
        assertEquals(List.of(Market.SPOT), read(m).markets(), "the global default applies to every pool");
        m.put(P + "market", " Spot , ON-DEMAND ");
        assertEquals(List.of(Market.SPOT, Market.ON_DEMAND), read(m).markets());
        assertEquals("spot", Market.SPOT.label());
        assertEquals("on-demand", Market.ON_DEMAND.label());
    }

    @Test
    void launchTemplateReplacesImageAndType() {
        Map<String, String> m = minimal();
        m.remove(P + "image-id");
        m.put(P + "launch-template-id", "lt-0123");
        m.put(P + "launch-template-version", "7");
        Ec2Settings s = read(m);
        assertEquals(Optional.of("lt-0123"), s.launchTemplateId());
        assertEquals(List.of(), s.instanceTypes(), "the template decides the instance type");
    }

    @ParameterizedTest(name = "{0}={1} -> error names {2}")
    @CsvSource(delimiter = '|', value = {
        "bundle-url|             | bundle-url",
        "bundle-url| ftp://x/y.zip | bundle-url",
        "bundle-url| http://bucket.example.com/runner.zip | bundle-url",
        "bundle-sha256| abc123   | bundle-sha256",
        "bundle-sha256| 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg | bundle-sha256",
        "lease-duration| 10s     | lease-duration",
        "lease-duration| soon    | lease-duration",
        "app       | my app!     | app",
        "bundle-url| s3://bucket/runner.war | bundle-url",
        "image-id  |             | image-id",
        "image-id  | img-123     | image-id",
        "instance-type| t3.small,,m5.large | instance-type",
        "instance-type| T3 SMALL  | instance-type",
        "subnet-id | vpc-1       | subnet-id",
        "security-group-ids| sg-1,group2 | security-group-ids",
        "tags      | flame:app=x | tags",
        "tags      | novalue     | tags",
        "env       | FLAME_JOIN_TOKEN=x | env",
        "env       | FLAME_FOO=x | env",
        "env       | 1X=y        | env",
        "s3-endpoint| ftp://s3.example.com | s3-endpoint",
        "imds-endpoint| http:/nohost | imds-endpoint",
        "env       | A=it's      | env",
        "runner-port| 70000      | runner-port",
        "runner-port| http       | runner-port",
        "auto-configure| yes     | auto-configure",
        "terminate-orphans| 1    | terminate-orphans",
        "endpoint  | localhost:4566 | endpoint",
        "launch-template-version| 3 | launch-template-version",
        "market    | reserved    | market",
        "market    | spot,spot   | market",
        "market    | spot,,on-demand | market",
        "market    | on demand   | market",
        "java-package| 'jdk; rm -rf /' | java-package",
        "region    | EU West   | region",
    })
    void badValuesNameTheirKey(String key, String value, String culprit) {
        Map<String, String> m = minimal();
        if (value == null) {
            m.remove(P + key);
        } else {
            m.put(P + key, value);
        }
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class, () -> read(m));
        assertEquals(P + culprit, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(P + culprit + ": "), e.getMessage());
    }

    @Test
    void leaseAndBundleChecksumAreRead() {
        Map<String, String> m = minimal();
        m.put(P + "bundle-url", "https://downloads.example.com/app/runner.tar.gz");
        m.put(P + "bundle-sha256", "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef");
        m.put("flame.ec2.lease-duration", "45s");
        m.put(P + "app", "shop-blue");
        Ec2Settings s = read(m);
        assertEquals(Optional.of("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), s.bundleSha256());
        assertEquals(Duration.ofSeconds(45), s.leaseDuration());
        assertEquals(Duration.ofSeconds(15), s.leaseRefreshInterval());
        assertEquals("shop-blue", s.app(), "a configured app wins over the application's name");
    }

    @Test
    void toStringNamesEnvVariablesButNeverTheirValues() {
        Map<String, String> m = minimal();
        m.put(P + "env", "API_TOKEN=hunter2,MODE=batch");
        String text = read(m).toString();
        assertTrue(text.contains("env={API_TOKEN=***,MODE=***}"), text);
        assertFalse(text.contains("hunter2"), text);
        assertTrue(text.contains("imageId=Optional[ami-0abc]"), text);
    }

    @Test
    void withoutAnApplicationNameAppFallsBackToFlame() {
        Ec2Settings s = new Ec2SettingsReader(uri -> null, Optional::empty).read(MapBackendContext.of("thumbs",
                minimal()));
        assertEquals(Ec2Settings.DEFAULT_APP, s.app());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "file:/srv/wlp/usr/servers/shop/apps/shop.war/WEB-INF/lib/flame-ec2-impl.jar | shop",
        "jar:file:/srv/wlp/usr/servers/s/apps/billing-2.war!/WEB-INF/lib/flame-ec2-impl.jar | billing-2",
        "file:/srv/wlp/usr/servers/s/apps/expanded/My%20App.war/WEB-INF/lib/impl.jar | My App",
        "file:/home/dev/.m2/repository/io/flameec2/flame-ec2-impl/0.1/flame-ec2-impl-0.1.jar | ",
    })
    void theWarNameIsFoundWhereTheCodeWasLoadedFrom(String location, String expected) throws Exception {
        CodeSource source = new CodeSource(new URL(location), (Certificate[]) null);
        assertEquals(Optional.ofNullable(expected), AppName.fromCodeSource(source));
        assertEquals("My-App", AppName.tagSafe("My App"));
    }

    @ParameterizedTest(name = "missing {0}")
    @CsvSource({"image-id", "bundle-url"})
    void aMissingRequiredSettingAlsoNamesItsGlobalKey(String key) {
        // most applications set only flame.ec2.*: an error naming just the pool-level key would send them
        // looking for a key they never used
        Map<String, String> m = minimal();
        m.remove(P + key);
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class, () -> read(m));
        assertTrue(e.getMessage().startsWith(P + key + ": is required (or flame.ec2." + key + " for every ec2 pool)"),
                e.getMessage());
    }

    @Test
    void autoConfigureFillsWhatIsUnsetFromTheParentInstance() {
        Ec2SettingsReader auto = new Ec2SettingsReader(uri -> {
            assertEquals(URI.create("http://10.0.0.9:1234"), uri);
            return new InstanceMetadata("ami-parent", "m7i.large", "subnet-parent", List.of("sg-a", "sg-b"),
                    Optional.of("arn:aws:iam::1:instance-profile/app"), "10.1.2.3", "ap-south-1");
        });
        Map<String, String> m = minimal();
        m.remove(P + "image-id");
        m.put(P + "auto-configure", "true");
        m.put(P + "imds-endpoint", "http://10.0.0.9:1234");
        m.put(P + "subnet-id", "subnet-mine");
        Ec2Settings s = auto.read(MapBackendContext.of("thumbs", m));
        assertEquals(Optional.of("ami-parent"), s.imageId());
        assertEquals(List.of("m7i.large"), s.instanceTypes());
        assertEquals(List.of("subnet-mine"), s.subnetIds(), "explicit settings win over metadata");
        assertEquals(List.of("sg-a", "sg-b"), s.securityGroupIds());
        assertEquals(Optional.of("arn:aws:iam::1:instance-profile/app"), s.iamInstanceProfile());
        assertEquals(Optional.of("ap-south-1"), s.region());
        assertEquals(Optional.of("10.1.2.3"), s.parentAddress());
    }

    @Test
    void autoConfigureOffEc2FailsNamingTheKey() {
        Ec2SettingsReader auto = new Ec2SettingsReader(uri -> {
            throw new IllegalStateException("connect timed out");
        });
        Map<String, String> m = minimal();
        m.put(P + "auto-configure", "true");
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> auto.read(MapBackendContext.of("thumbs", m)));
        assertEquals(P + "auto-configure", e.key());
        assertTrue(e.getMessage().contains("connect timed out"), e.getMessage());
    }

    @Test
    void profileArnIsParsedFromIamInfo() {
        assertEquals(Optional.of("arn:aws:iam::123:instance-profile/x"), InstanceMetadata.profileArn(
                "{\n  \"Code\" : \"Success\",\n  \"InstanceProfileArn\" : \"arn:aws:iam::123:instance-profile/x\",\n}"));
        assertEquals(Optional.empty(), InstanceMetadata.profileArn("{}"));
    }
}
