package io.flameec2.impl.backend.ec2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code auto-configure} copies from the parent's own instance, read from the instance metadata service
 * with IMDSv2 (a session token first), as flame_ec2 does: runners then boot like their parent.
 *
 * <p>IMDSv2 is two plain HTTP requests, so this uses the JDK's HTTP client rather than the SDK's {@code imds}
 * module (which is not published for the SDK version this project uses).
 *
 * @param imageId the parent's AMI
 * @param instanceType the parent's instance type
 * @param subnetId the subnet of the parent's primary interface
 * @param securityGroupIds the security groups of that interface
 * @param iamInstanceProfileArn the parent's instance profile, if it has one
 * @param localIpv4 the parent's private IPv4, where runners reach it
 * @param region the parent's region
 */
public record InstanceMetadata(String imageId, String instanceType, String subnetId, List<String> securityGroupIds,
        Optional<String> iamInstanceProfileArn, String localIpv4, String region) {

    /** The metadata service every instance reaches. */
    public static final URI DEFAULT_ENDPOINT = URI.create("http://169.254.169.254");

    private static final Logger LOG = Logger.getLogger(InstanceMetadata.class.getName());
    private static final Pattern PROFILE_ARN = Pattern.compile("\"InstanceProfileArn\"\\s*:\\s*\"([^\"]+)\"");
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /**
     * Checks and copies the components.
     *
     * @param imageId the record component
     * @param instanceType the record component
     * @param subnetId the record component
     * @param securityGroupIds the record component
     * @param iamInstanceProfileArn the record component
     * @param localIpv4 the record component
     * @param region the record component
     */
    public InstanceMetadata {
        securityGroupIds = List.copyOf(securityGroupIds);
    }

    /**
     * Reads the metadata of the instance this JVM runs on.
     *
     * @param endpoint the metadata endpoint, or {@code null} for {@link #DEFAULT_ENDPOINT}
     * @return the metadata
     * @throws RuntimeException when the service cannot be reached (not on EC2) or answers badly
     */
    public static InstanceMetadata fetch(URI endpoint) {
        Session imds = new Session(endpoint == null ? DEFAULT_ENDPOINT : endpoint);
        String mac = imds.get("mac").orElseThrow();
        String nic = "network/interfaces/macs/" + mac + "/";
        InstanceMetadata md = new InstanceMetadata(imds.require("ami-id"), imds.require("instance-type"),
                imds.require(nic + "subnet-id"),
                Arrays.stream(imds.require(nic + "security-group-ids").split("\\s+"))
                        .filter(s -> !s.isBlank()).toList(),
                imds.get("iam/info").flatMap(InstanceMetadata::profileArn), imds.require("local-ipv4"),
                imds.require("placement/region"));
        LOG.info(() -> "auto-configure: read instance metadata " + md);
        return md;
    }

    static Optional<String> profileArn(String iamInfoJson) {
        Matcher m = PROFILE_ARN.matcher(iamInfoJson);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** One IMDSv2 session: a token, then reads with it. */
    private static final class Session {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        private final URI base;
        private final String token;

        Session(URI base) {
            this.base = base;
            HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/latest/api/token"))
                    .header("X-aws-ec2-metadata-token-ttl-seconds", "300")
                    .PUT(HttpRequest.BodyPublishers.noBody()));
            if (r.statusCode() != 200) {
                throw new IllegalStateException("IMDSv2 token request to " + base + " answered " + r.statusCode());
            }
            this.token = r.body().trim();
        }

        String require(String path) {
            return get(path).orElseThrow(() -> new IllegalStateException("instance metadata " + path + " missing"));
        }

        Optional<String> get(String path) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/latest/meta-data/" + path))
                    .header("X-aws-ec2-metadata-token", token).GET());
            if (r.statusCode() == 404) {
                return Optional.empty(); // e.g. iam/info of an instance without a profile
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException("instance metadata " + path + " answered " + r.statusCode());
            }
            return Optional.of(r.body().trim());
        }

        private HttpResponse<String> send(HttpRequest.Builder request) {
            try {
                return http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException("instance metadata service " + base + " unreachable", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted reading instance metadata", e);
            }
        }
    }
}
