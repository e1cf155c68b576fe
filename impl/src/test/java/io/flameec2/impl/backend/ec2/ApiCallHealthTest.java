package io.flameec2.impl.backend.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The real EC2 client against an HTTP server speaking EC2's Query API answers, with the health interceptor on. */
class ApiCallHealthTest {

    private static final String OK = "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
            + "<requestId>r-1</requestId><reservationSet/></DescribeInstancesResponse>";

    private final AtomicReference<Answer> answer = new AtomicReference<>(new Answer(200, OK));
    private final MutableClock clock = new MutableClock();
    private final ApiCallHealth health = new ApiCallHealth("EC2", clock);
    private HttpServer server;

    private record Answer(int status, String body) {
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            Answer a = answer.get();
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/xml");
            ex.sendResponseHeaders(a.status(), body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void refusedCredentialsAreAProblemUntilACallSucceeds() {
        answer.set(error(403, "UnauthorizedOperation", "You are not authorized to perform this operation."));
        try (Ec2Client ec2 = client(server.getAddress().getPort())) {
            assertThrows(SdkException.class, ec2::describeInstances);
            clock.advance(Duration.ofSeconds(12));
            String problem = health.problem().orElseThrow();
            assertTrue(problem.contains("EC2 API call (DescribeInstances, 12 s ago)"), problem);
            assertTrue(problem.contains("UnauthorizedOperation: You are not authorized"), problem);

            answer.set(new Answer(200, OK));
            ec2.describeInstances();
            assertEquals(Optional.empty(), health.problem());
        }
    }

    @Test
    void aRefusedRequestShowsTheApiWorks() {
        try (Ec2Client ec2 = client(server.getAddress().getPort())) {
            answer.set(error(500, "InternalError", "An internal error has occurred."));
            assertThrows(SdkException.class, ec2::describeInstances);
            assertTrue(health.problem().orElseThrow().contains("InternalError"), health.problem().orElseThrow());

            // no capacity is the boot's failure, not the API's: the pool counts it as a failed boot
            answer.set(error(400, "InsufficientInstanceCapacity", "We currently do not have sufficient capacity."));
            assertThrows(SdkException.class, ec2::describeInstances);
            assertEquals(Optional.empty(), health.problem());
        }
    }

    @Test
    void anUnreachableEndpointIsAProblem() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (Ec2Client ec2 = client(closed)) {
            assertThrows(SdkException.class, ec2::describeInstances);
        }
        String problem = health.problem().orElseThrow();
        assertTrue(problem.contains("DescribeInstances") && problem.contains("SdkClientException"), problem);
    }

    private Ec2Client client(int port) {
        return Ec2Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).addExecutionInterceptor(health))
                .build();
    }

    private static Answer error(int status, String code, String message) {
        return new Answer(status, "<Response><Errors><Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error></Errors><RequestID>r-2</RequestID></Response>");
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-03T05:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
