package io.flameec2.it.ec2;

import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Everything the EC2 tests share: the box, s3proxy with a bucket, and credentials for both in the system
 * properties the SDK's default credential chain reads (so the product code runs unchanged).
 */
final class BoxFixture implements AutoCloseable {

    static final String BUCKET = "flame-bundles";
    static final String REGION = "us-east-1";

    final Ec2Box box;
    final S3ProxyProcess s3;
    final S3Client s3Client;
    final Ec2Client ec2Client;

    BoxFixture() throws Exception {
        System.setProperty("aws.accessKeyId", S3ProxyProcess.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyProcess.SECRET_KEY);
        box = Ec2Box.start();
        S3ProxyProcess proxy = null;
        try {
            proxy = S3ProxyProcess.start(box.gateway());
        } catch (Exception | Error e) {
            box.close();
            throw e;
        }
        s3 = proxy;
        var credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3ProxyProcess.ACCESS_KEY, S3ProxyProcess.SECRET_KEY));
        s3Client = S3Client.builder().region(Region.of(REGION)).endpointOverride(s3.endpoint())
                .credentialsProvider(credentials).forcePathStyle(true)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        s3Client.createBucket(b -> b.bucket(BUCKET));
        ec2Client = Ec2Client.builder().region(Region.of(REGION)).endpointOverride(box.endpoint())
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** Uploads a bundle with the real S3 client. @return its s3:// URL */
    URI upload(String key, byte[] bundle) {
        s3Client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bundle));
        return URI.create("s3://" + BUCKET + "/" + key);
    }

    /** Uploads a bundle file with the real S3 client. @return its s3:// URL */
    URI upload(String key, Path bundle) {
        s3Client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromFile(bundle));
        return URI.create("s3://" + BUCKET + "/" + key);
    }

    @Override
    public void close() {
        try {
            ec2Client.close();
            s3Client.close();
            s3.close();
        } finally {
            box.close();
        }
    }
}
