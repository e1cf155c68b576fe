package io.flameec2.it.ec2;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlamePoolConfig;
import io.flameec2.impl.backend.ec2.Ec2BackendFactory;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.spi.FlameInvocation;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A join token stolen from an instance's user-data is worthless anywhere but on that instance: a second
 * network namespace of the box (another host on the runners' subnet) holding the token is refused, naming the
 * address the runner was launched at, and the same token from the instance's own namespace then joins (so
 * the thief's attempt neither burned it nor was refused for any other reason).
 */
class Ec2JoinAddressIT {

    private static final String THIEF = "fec2-thief";
    private static final String THIEF_VETH = "fec2-thief-v";
    private static final String APP_VERSION = "join-address-box";
    private static BoxFixture fx;
    private static URI silentBundle;

    @BeforeAll
    static void box() throws Exception {
        Optional<String> unsupported = Ec2Box.unsupportedReason();
        Assumptions.assumeTrue(unsupported.isEmpty(), () -> "skipped: " + unsupported.orElse(""));
        System.setProperty("flame.parent.host", BoxNetwork.GATEWAY);
        System.setProperty("flame.app-version", APP_VERSION);
        fx = new BoxFixture();
        silentBundle = fx.upload("join/silent.zip", FakeRunnerBundle.zip());
    }

    @AfterAll
    static void cleanUp() {
        System.clearProperty("flame.parent.host");
        System.clearProperty("flame.app-version");
        if (fx != null) {
            fx.close();
            assertEquals(List.of(), BoxNetwork.namespaces(), "network namespaces leaked");
        }
    }

    @Test
    void aStolenTokenIsRefusedFromAnotherHostAndStillWorksFromTheInstance() throws Exception {
        Map<String, String> settings = BoxHarness.ec2Settings(fx, "join-address", silentBundle);
        settings.put("flame.ec2.env", "FAKE_BEHAVIOUR=silent"); // the instance boots, but its runner never joins
        FlamePoolConfig config = FlamePoolConfig.builder("thief").max(1).bootTimeout(Duration.ofMinutes(2))
                .timeout(Duration.ofMinutes(3)).shutdownTimeout(Duration.ofSeconds(5)).backend("ec2").build();
        FlamePoolEngine pool = new FlamePoolEngine(config,
                new Ec2BackendFactory().create(ConfigBackendContext.of(config, settings, "parent-join")), e -> { });
        try {
            pool.submit(new FlameInvocation.Closure(new E2eTask(1)), Duration.ofMinutes(3)); // makes it boot
            await().atMost(Duration.ofMinutes(1)).until(() -> fx.box.instances().stream().anyMatch(BoxInstance::isLive));
            BoxInstance instance = fx.box.instances().get(0);
            String userData = instance.userData; // what ec2:DescribeInstanceAttribute would give a thief
            String runnerId = env(userData, RunnerEnv.RUNNER_ID);
            String token = env(userData, RunnerEnv.JOIN_TOKEN);
            String[] parent = env(userData, RunnerEnv.PARENT_ADDRESS).split(":");

            fx.box.network().addHost(THIEF, THIEF_VETH, BoxNetwork.address(240));
            String thief = probe(THIEF, parent, runnerId, token);
            assertTrue(thief.startsWith("REFUSED runner " + runnerId + " must join from " + instance.address
                    + ", not " + BoxNetwork.address(240)), thief);

            await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(Path.of("/var/run/netns", instance.namespace)));
            assertEquals("JOINED", probe(instance.namespace, parent, runnerId, token),
                    "from the instance's own address the token joins");
        } finally {
            fx.box.network().removeHost(THIEF, THIEF_VETH);
            pool.shutdown().orTimeout(2, TimeUnit.MINUTES).join();
            await().atMost(Duration.ofMinutes(1)).until(() -> fx.box.unterminatedInstanceIds().isEmpty());
        }
    }

    private static String env(String userData, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "='([^']*)'$").matcher(userData);
        assertTrue(m.find(), name + " is not in the user-data");
        return m.group(1);
    }

    private static String probe(String namespace, String[] parent, String runnerId, String token) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return Sh.run("ip", "netns", "exec", namespace, java, "-cp", System.getProperty("java.class.path"),
                JoinProbe.class.getName(), parent[0], parent[1], runnerId, token, APP_VERSION).trim();
    }
}
