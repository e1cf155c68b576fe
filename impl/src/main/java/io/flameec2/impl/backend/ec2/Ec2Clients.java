package io.flameec2.impl.backend.ec2;

import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the AWS clients of a pool from its settings: default credential chain (environment, system
 * properties, profile, container and instance roles), the region setting or the default region chain, and
 * endpoint overrides. Throttling (RequestLimitExceeded) and 5xx answers are retried by the SDK's standard
 * retry mode with backoff.
 */
public final class Ec2Clients {

    private static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(60);

    private Ec2Clients() {
    }

    /**
     * The EC2 client.
     *
     * @param settings the pool's settings
     * @param interceptors see every call (health)
     * @return a new client; the caller closes it
     */
    public static Ec2Client ec2(Ec2Settings settings, ExecutionInterceptor... interceptors) {
        var b = Ec2Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(30)))
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).apiCallTimeout(API_CALL_TIMEOUT)
                        .executionInterceptors(List.of(interceptors)));
        settings.region().map(Region::of).ifPresent(b::region);
        settings.endpoint().ifPresent(b::endpointOverride);
        return b.build();
    }

    /**
     * The S3 client that uploads the parent's own bundle under a {@code bundle-url} prefix; path-style addressing
     * when an endpoint override is set, as for the presigner.
     *
     * @param settings the pool's settings
     * @param interceptors see every call (health)
     * @return a new client; the caller closes it
     */
    public static S3Client s3(Ec2Settings settings, ExecutionInterceptor... interceptors) {
        var b = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60)))
                // a part of 16 MiB on a slow link takes a while: the timeout is per call, parts are retried
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).apiCallTimeout(Duration.ofMinutes(5))
                        .executionInterceptors(List.of(interceptors)));
        settings.region().map(Region::of).ifPresent(b::region);
        settings.s3Endpoint().ifPresent(uri -> b.endpointOverride(uri)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()));
        return b.build();
    }

    /**
     * The presigner for {@code s3://} bundle URLs; path-style addressing when an endpoint override is set
     * (S3-compatible stores rarely serve virtual-host buckets).
     *
     * @param settings the pool's settings
     * @return a new presigner; the caller closes it
     */
    public static S3Presigner presigner(Ec2Settings settings) {
        var b = S3Presigner.builder();
        settings.region().map(Region::of).ifPresent(b::region);
        settings.s3Endpoint().ifPresent(uri -> b.endpointOverride(uri)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()));
        return b.build();
    }
}
