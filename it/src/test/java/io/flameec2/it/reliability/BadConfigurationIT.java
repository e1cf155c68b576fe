package io.flameec2.it.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.it.ArquillianServer;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.ShouldThrowException;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad configuration fails the deployment with a message that names the key: Arquillian deploys, to one real
 * Open Liberty parent server, one small ShrinkWrap WAR per bad case (its own context root and
 * microprofile-config.properties, all using pool {@code x} through {@link PoolServlet}), each expected to fail
 * ({@code @ShouldThrowException}), and a good WAR proving that the server and a valid configuration still deploy.
 * The EC2 cases point every AWS endpoint at a {@link Tripwire}, so a product that contacted AWS before checking
 * the settings would be caught; a valid EC2 pool on a second tripwire shows that the tripwire does notice
 * traffic. (arquillian.xml gives the server made-up AWS credentials: without any, the SDK would fail before
 * connecting, and the tripwire could not tell a product that never tries from one that tries too early.)
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BadConfigurationIT {

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

    /** Created before the deployments are built: their configuration names the tripwires' URLs. */
    private static final Tripwire BAD_AWS = Tripwire.open();
    private static final Tripwire GOOD_AWS = Tripwire.open();

    @ArquillianResource
    @OperateOnDeployment("good")
    URL good;

    @ArquillianResource
    @OperateOnDeployment("ec2ok")
    URL ec2ok;

    @AfterAll
    static void closeTripwires() throws Exception {
        try (Tripwire a = BAD_AWS; Tripwire b = GOOD_AWS) {
            // closed
        }
    }

    @Deployment(name = "good", testable = false, order = 1)
    static WebArchive good() {
        return war("good", GOOD);
    }

    @Deployment(name = "ec2ok", testable = false, order = 2)
    static WebArchive ec2ok() {
        return war("ec2ok", EC2_GOOD.replace(AWS, GOOD_AWS.url()));
    }

    @Deployment(name = "backend", testable = false, order = 3)
    @ShouldThrowException(Exception.class) // see ArquillianServer.startFailure
    static WebArchive backend() {
        return bad("backend");
    }

    @Deployment(name = "negmax", testable = false, order = 4)
    @ShouldThrowException(Exception.class) // see ArquillianServer.startFailure
    static WebArchive negmax() {
        return bad("negmax");
    }

    @Deployment(name = "minmax", testable = false, order = 5)
    @ShouldThrowException(Exception.class) // see ArquillianServer.startFailure
    static WebArchive minmax() {
        return bad("minmax");
    }

    @Deployment(name = "duration", testable = false, order = 6)
    @ShouldThrowException(Exception.class) // see ArquillianServer.startFailure
    static WebArchive duration() {
        return bad("duration");
    }

    @Deployment(name = "ec2noimage", testable = false, order = 7)
    @ShouldThrowException(Exception.class) // see ArquillianServer.startFailure
    static WebArchive ec2noimage() {
        return bad("ec2noimage");
    }

    @Deployment(name = "ec2nobundle", testable = false, order = 8)
    @ShouldThrowException(Exception.class) // see ArquillianServer.startFailure
    static WebArchive ec2nobundle() {
        return bad("ec2nobundle");
    }

    static Stream<Case> badCases() {
        return BAD.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCases")
    void aBadValueFailsTheDeploymentNamingTheKey(Case c) throws Exception {
        String failure = ArquillianServer.startFailure(c.app());
        assertTrue(failure.contains("FlameEC2: pool 'x' used by "), failure);
        assertTrue(failure.contains(c.expected()), "expected '" + c.expected() + "' in:\n" + failure);
        assertEquals(404, ArquillianServer.get(good, "../" + c.app() + "/pool/name").statusCode());
    }

    @Test
    void aValidConfigurationDeploysAndRunsInTheSameServer() throws Exception {
        HttpResponse<String> r = ArquillianServer.get(good, "pool/call");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("pool x computed 42", r.body());
    }

    @Test
    void theEc2CasesFailBeforeAnyTrafficToAws() throws Exception {
        assertEquals("x", ArquillianServer.get(ec2ok, "pool/name").body());
        // the valid EC2 pool's orphan sweep (DescribeInstances at start) reaches its endpoint: traffic is seen
        await().atMost(Duration.ofMinutes(1)).until(() -> GOOD_AWS.connections() > 0);
        ArquillianServer.startFailure("ec2noimage");
        ArquillianServer.startFailure("ec2nobundle");
        assertEquals(0, BAD_AWS.connections(), "the pools with missing EC2 settings contacted their AWS endpoints");
    }

    private static WebArchive bad(String app) {
        Case c = BAD.stream().filter(b -> b.app().equals(app)).findFirst().orElseThrow();
        return war(app, c.config().replace(AWS, BAD_AWS.url()));
    }

    private static WebArchive war(String app, String config) {
        return ArquillianServer.application(app + ".war", config, PoolServlet.class);
    }
}
