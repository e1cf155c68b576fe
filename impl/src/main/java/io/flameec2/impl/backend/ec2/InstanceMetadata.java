package io.flameec2.impl.backend.ec2;

import java.net.URI;
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
 * <p>Read through {@link Imds}.
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
    public static final URI DEFAULT_ENDPOINT = Imds.DEFAULT_ENDPOINT;

    private static final Logger LOG = Logger.getLogger(InstanceMetadata.class.getName());
    private static final Pattern PROFILE_ARN = Pattern.compile("\"InstanceProfileArn\"\\s*:\\s*\"([^\"]+)\"");

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
        Imds imds = Imds.at(endpoint);
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
}
