package io.flameec2.it.ec2;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/**
 * The box itself, through the real AWS SDK: what the EC2 tests rely on (error shape, filters, tags, console
 * output, IMDSv2 token rules, instance isolation) must behave like EC2.
 */
class Ec2BoxIT {

    private static BoxFixture fx;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startBox() throws Exception {
        Optional<String> unsupported = Ec2Box.unsupportedReason();
        Assumptions.assumeTrue(unsupported.isEmpty(), () -> "skipped: " + unsupported.orElse(""));
        fx = new BoxFixture();
    }

    @AfterAll
    static void stopBox() {
        if (fx != null) {
            fx.close();
            assertEquals(List.of(), BoxNetwork.namespaces(), "network namespaces leaked");
        }
    }

    @Test
    void errorsHaveEc2sShapeAndCode() {
        Ec2Exception e = assertThrows(Ec2Exception.class,
                () -> fx.ec2Client.terminateInstances(b -> b.instanceIds("i-00000000000000000")));
        assertEquals("InvalidInstanceID.NotFound", e.awsErrorDetails().errorCode());
        assertEquals(400, e.statusCode());
        assertTrue(e.getMessage().contains("i-00000000000000000"), e.getMessage());
        Ec2Exception missing = assertThrows(Ec2Exception.class, () -> fx.ec2Client.runInstances(b -> b.minCount(1)
                .maxCount(1)));
        assertEquals("MissingParameter", missing.awsErrorDetails().errorCode());
    }

    @Test
    void instancesRunUserDataInTheirOwnNamespaceSeeImdsAndAreFoundByTagAndState() throws Exception {
        String script = """
                #!/bin/bash
                set -euo pipefail
                token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)
                md() { curl -fsS -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"; }
                logger -t box_test "id=$(md instance-id) ip=$(md local-ipv4) type=$(md instance-type)"
                logger -t box_test "v1=$(curl -s -o /dev/null -w '%{http_code}' http://169.254.169.254/latest/meta-data/instance-id)"
                logger -t box_test "addr=$(ip -4 -o addr show eth0 | awk '{print $4}') opt=$(ls /opt | wc -l)"
                sleep 300
                """;
        String id = fx.ec2Client.runInstances(b -> b.imageId("ami-0box").instanceType("t3.micro").minCount(1)
                .maxCount(1).userData(Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8)))
                .tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(
                        tag -> tag.key("flame:app").value("box-test"))))
                .instances().get(0).instanceId();
        BoxInstance instance = fx.box.instance(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> console(id).contains("box_test: addr="));
        String console = console(id);
        assertTrue(console.contains("box_test: id=" + id + " ip=" + instance.address + " type=t3.micro"), console);
        assertTrue(console.contains("box_test: v1=401"), "IMDSv1 is refused: " + console);
        assertTrue(console.contains("box_test: addr=" + instance.address + "/16 opt=0"), "own /opt: " + console);

        fx.ec2Client.createTags(b -> b.resources(id).tags(t -> t.key("extra").value("yes")));
        List<Instance> found = fx.ec2Client.describeInstances(b -> b.filters(
                f -> f.name("tag:flame:app").values("box-test"),
                f -> f.name("instance-state-name").values("running"))).reservations().stream()
                .flatMap(r -> r.instances().stream()).toList();
        assertEquals(List.of(id), found.stream().map(Instance::instanceId).toList());
        assertTrue(found.get(0).tags().stream().anyMatch(t -> t.key().equals("extra") && t.value().equals("yes")));
        assertEquals(instance.address, found.get(0).privateIpAddress());

        assertEquals(InstanceStateName.SHUTTING_DOWN, fx.ec2Client.terminateInstances(b -> b.instanceIds(id))
                .terminatingInstances().get(0).currentState().name());
        await().atMost(Duration.ofSeconds(30)).until(() -> fx.ec2Client.describeInstances(b -> b.instanceIds(id))
                .reservations().get(0).instances().get(0).state().name() == InstanceStateName.TERMINATED);
        assertEquals(List.of(), BoxNetwork.namespaces());
        assertTrue(console(id).contains("box_test: id="), "console output outlives the instance");
    }

    @Test
    void imdsWantsATokenFromAPutWithATtl() throws Exception {
        URI token = URI.create("http://169.254.169.254/latest/api/token");
        assertEquals(400, http.send(HttpRequest.newBuilder(token).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://169.254.169.254/latest/meta-data/ami-id"))
                .header("X-aws-ec2-metadata-token", "forged").build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
    }

    private static String console(String id) {
        String out = fx.ec2Client.getConsoleOutput(b -> b.instanceId(id)).output();
        return out == null ? "" : new String(Base64.getDecoder().decode(out), StandardCharsets.UTF_8);
    }
}
