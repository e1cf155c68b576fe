package io.flameec2.it.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.it.LibertyServer;
import io.flameec2.it.process.RunnerBundle;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad configuration fails the deployment with a message that names the key: one real Open Liberty parent
 * server, one small WAR per bad case (its own context root and microprofile-config.properties, all using pool
 * {@code x} through {@link PoolServlet}), and a good WAR proving that the server and a valid configuration still
 * deploy. The EC2 cases point every AWS endpoint at a {@link Tripwire}, so a product that contacted AWS before
 * checking the settings would be caught; a valid EC2 pool on a second tripwire shows that the tripwire does
 * notice traffic.
 */
class BadConfigurationIT {

    private static final Logger LOG = Logger.getLogger(BadConfigurationIT.class.getName());
    /** Replaced by the URL of the tripwire the WAR's AWS endpoints point at. */
    private static final String AWS = "@AWS@";
    private static final String EC2_ENDPOINTS = """
            flame.ec2.region=eu-west-1
            flame.ec2.endpoint=@AWS@
            flame.ec2.s3-endpoint=@AWS@
            flame.ec2.imds-endpoint=@AWS@
            flame.parent.host=127.0.0.1
            """;

    /**
     * One bad case: the application (also its context root), its configuration, and what its deployment
     * failure must say; {@code expected} is the product's whole sentence, so it pins the key and the value.
     */
    record Case(String app, String config, String expected) {
        @Override
        public String toString() {
            return app;
        }
    }

    static final List<Case> BAD = List.of(
            new Case("backend", """
                    flame.pools.x.max=1
                    flame.pools.x.backend=kubernetes
                    """, "flame.pools.x.backend: unknown backend 'kubernetes'; known backends: [ec2, local, process]"),
            new Case("negmax", """
                    flame.pools.x.max=-1
                    """, "flame.pools.x.max: must be 1 or more, was -1"),
            new Case("minmax", """
                    flame.pools.x.max=2
                    flame.pools.x.min=5
                    """, "flame.pools.x.min: must not exceed flame.pools.x.max (2), was 5"),
            new Case("duration", """
                    flame.pools.x.max=1
                    flame.pools.x.idle-shutdown-after=5 parsecs
                    """, "flame.pools.x.idle-shutdown-after: must be a duration such as 30s, 500ms, 5m or PT30S,"
                    + " was '5 parsecs'"),
            // most applications set the global fallback keys (flame.ec2.*): the error names both
            new Case("ec2noimage", """
                    flame.pools.x.max=1
                    flame.pools.x.backend=ec2
                    flame.ec2.bundle-url=https://bundles.example.com/app/runner.zip
                    """ + EC2_ENDPOINTS, "flame.pools.x.ec2.image-id: is required (or flame.ec2.image-id for every"
                    + " ec2 pool) unless flame.pools.x.ec2.launch-template-id is set (or"
                    + " flame.pools.x.ec2.auto-configure=true copies the parent's AMI): the AMI runners boot"),
            new Case("ec2nobundle", """
                    flame.pools.x.max=1
                    flame.pools.x.backend=ec2
                    flame.pools.x.ec2.image-id=ami-0abc1234
                    """ + EC2_ENDPOINTS, "flame.pools.x.ec2.bundle-url: is required (or flame.ec2.bundle-url for every"
                    + " ec2 pool): where runners download the Liberty server package of this application"));

    private static final String GOOD = """
            flame.pools.x.max=1
            flame.pools.x.backend=local
            flame.pools.x.idle-shutdown-after=5m
            flame.pools.x.timeout=20s
            """;
    private static final String EC2_GOOD = """
            flame.pools.x.max=1
            flame.pools.x.backend=ec2
            flame.ec2.image-id=ami-0abc1234
            flame.ec2.bundle-url=https://bundles.example.com/app/runner.zip
            """ + EC2_ENDPOINTS;

    private static LibertyServer server;
    private static Tripwire badAws;
    private static Tripwire goodAws;

    @BeforeAll
    static void startServerWithAllCases() throws Exception {
        badAws = new Tripwire();
        goodAws = new Tripwire();
        server = LibertyServer.create("badcfg")
                .deploy("good", war(GOOD), "/good")
                .deploy("ec2ok", war(EC2_GOOD.replace(AWS, goodAws.url())), "/ec2ok")
                // made-up credentials: without any, the SDK would fail before connecting, and the tripwire could
                // not tell a product that never tries from one that tries too early
                .jvmOption("-Daws.accessKeyId=AKIAFLAMEITEXAMPLE")
                .jvmOption("-Daws.secretAccessKey=flame-it-not-a-secret");
        for (Case c : BAD) {
            server.deploy(c.app(), war(c.config().replace(AWS, badAws.url())), "/" + c.app());
        }
        Duration took = server.start("/good/pool/name", r -> r.statusCode() == 200);
        LOG.info("parent server with " + (BAD.size() + 2) + " applications up in " + took.toMillis() + " ms");
    }

    @AfterAll
    static void stopServer() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            for (Tripwire t : new Tripwire[] {badAws, goodAws}) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    static Stream<Case> badCases() {
        return BAD.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCases")
    void aBadValueFailsTheDeploymentNamingTheKey(Case c) throws Exception {
        String failure = startFailure(c.app());
        assertTrue(failure.contains("FlameEC2: pool 'x' used by "), failure);
        assertTrue(failure.contains(c.expected()), "expected '" + c.expected() + "' in:\n" + failure);
        assertEquals(404, server.get("/" + c.app() + "/pool/name").statusCode());
    }

    @Test
    void aValidConfigurationDeploysAndRunsInTheSameServer() throws Exception {
        HttpResponse<String> r = server.get("/good/pool/call");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("pool x computed 42", r.body());
    }

    @Test
    void theEc2CasesFailBeforeAnyTrafficToAws() throws Exception {
        // Liberty starts the applications in parallel and this one loads the AWS SDK: it may still be starting
        await().atMost(Duration.ofMinutes(3)).until(() -> server.get("/ec2ok/pool/name").statusCode() == 200);
        assertEquals("x", server.get("/ec2ok/pool/name").body());
        // the valid EC2 pool's orphan sweep (DescribeInstances at start) reaches its endpoint: traffic is seen
        await().atMost(Duration.ofMinutes(1)).until(() -> goodAws.connections() > 0);
        startFailure("ec2noimage");
        startFailure("ec2nobundle");
        assertEquals(0, badAws.connections(), "the pools with missing EC2 settings contacted their AWS endpoints");
    }

    /**
     * Liberty's start failure of an application: the CWWKZ0002E entry of messages.log, with the lines of the
     * exception message that follow it (up to the next timestamped entry).
     */
    private static String startFailure(String app) throws Exception {
        String marker = "CWWKZ0002E: An exception occurred while starting the application " + app + ".";
        Path messages = server.messagesLog();
        await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(messages)
                && Files.readString(messages).contains(marker));
        String log = Files.readString(messages);
        int start = log.indexOf(marker);
        int end = log.indexOf("\n[", start);
        return log.substring(start, end < 0 ? log.length() : end);
    }

    private static Path war(String config) throws Exception {
        Path war = Files.createTempFile("flame-badcfg", ".war");
        war.toFile().deleteOnExit();
        RunnerBundle.war(war, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties", config),
                PoolServlet.class, PoolServlet.Answer.class);
        return war;
    }
}
