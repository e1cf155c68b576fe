package io.flameec2.impl.backend.ec2;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Turns the configured bundle URL into one a runner can download with plain curl: an {@code s3://bucket/key}
 * becomes a presigned GET valid for the boot timeout, so runners need neither the AWS CLI nor S3 rights;
 * an https URL is used as is.
 */
final class BundleUrl {

    private BundleUrl() {
    }

    static URI resolve(URI configured, S3Presigner presigner, Duration validFor) {
        if (!"s3".equalsIgnoreCase(configured.getScheme())) {
            return configured;
        }
        String bucket = configured.getHost();
        String key = configured.getPath().substring(1);
        try {
            return presigner.presignGetObject(p -> p.signatureDuration(validFor)
                    .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("presigned URL of " + configured + " is not a URI", e);
        }
    }
}
