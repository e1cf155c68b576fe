package io.flameec2.impl.backend.ec2;

import io.flameec2.impl.bundle.ContentCache;
import io.flameec2.impl.bundle.RunnerPackager;
import io.flameec2.impl.bundle.RunnerRecipe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The parent's own runner bundle under a {@code bundle-url} prefix ({@code s3://bucket/prefix/}): FLAME's code
 * sync for EC2. On first use the parent packages its deployed WAR with the runner {@code server.xml} and its own
 * Liberty runtime ({@link RunnerPackager}), and uploads it under a content-addressed key
 * ({@code prefix + runner-<version>-<hash>-ol<liberty>.zip}) unless that key is there already (put by an earlier
 * run or another replica of the same build); a new build of the application gets a new key, so runners never
 * run stale code. The bundle's SHA-256 travels as object metadata, so every parent hands its runners the digest
 * of the object they download, whoever uploaded it; the user-data checks it.
 *
 * <p>S3 calls: {@code ListObjectsV2} (with the key as prefix: tells a missing key from a forbidden one with a
 * permission scoped to the prefix), {@code HeadObject} (the digest), and a multipart upload
 * ({@code CreateMultipartUpload}, {@code UploadPart}, {@code CompleteMultipartUpload},
 * {@code AbortMultipartUpload} on failure), logging progress per part.
 */
final class SelfUploadedBundle {

    private static final Logger LOG = Logger.getLogger(SelfUploadedBundle.class.getName());
    /** The digest's object metadata key ({@code x-amz-meta-flame-sha256}). */
    static final String SHA256_METADATA = "flame-sha256";
    /** 16 MiB parts: an 80 MB bundle in 5 parts, well above S3's 5 MiB minimum, each retried alone on failure. */
    static final int PART_SIZE = 16 * 1024 * 1024;

    /**
     * A bundle runners can download.
     *
     * @param url its {@code s3://bucket/key}
     * @param sha256 its SHA-256, or empty when the object has no digest metadata
     */
    record Published(URI url, Optional<String> sha256) {
    }

    private final Ec2Settings settings;
    private final S3Client s3;
    private final Path wlp;
    private final Path workDir;
    private final Supplier<Optional<Path>> war;
    private final Supplier<String> appVersion;
    private volatile Published published;

    /**
     * @param settings the pool's settings; {@link Ec2Settings#bundlePrefix()} is true
     * @param s3 uploads; closed with this
     * @param wlp the parent's Liberty installation
     * @param workDir a private directory of this user, where the bundle is packaged
     * @param war finds the parent's deployed WAR when first needed
     * @param appVersion the application's version, part of the key for people reading it
     */
    SelfUploadedBundle(Ec2Settings settings, S3Client s3, Path wlp, Path workDir, Supplier<Optional<Path>> war,
            Supplier<String> appVersion) {
        this.settings = settings;
        this.s3 = s3;
        this.wlp = wlp;
        this.workDir = workDir;
        this.war = war;
        this.appVersion = appVersion;
    }

    /**
     * The bundle, packaged and uploaded on first use.
     *
     * @return where runners download it, and its digest
     * @throws IOException when it cannot be packaged, read or uploaded; the message names the key and S3 object
     */
    synchronized Published get() throws IOException {
        if (published != null) {
            return published;
        }
        String key = Ec2Settings.key(settings.pool(), Ec2Settings.BUNDLE_URL);
        Path app = war.get().orElseThrow(() -> new IOException(key + " is a prefix (" + settings.bundleUrl()
                + ") but the application's deployed WAR could not be found to make the bundle of (an application"
                + " deployed as loose classes, such as by a development server?): set it to a bundle"));
        String version = appVersion.get();
        RunnerRecipe recipe = RunnerRecipe.of(app);
        String bucket = settings.bundleUrl().getHost();
        String objectKey = settings.bundleUrl().getPath().substring(1) + recipe.name(version) + "-ol"
                + RunnerPackager.libertyVersion(wlp) + ".zip";
        URI url = URI.create("s3://" + bucket + "/" + objectKey);
        try {
            Optional<HeadObjectResponse> existing = find(bucket, objectKey);
            if (existing.isPresent()) {
                Optional<String> sha = Optional.ofNullable(existing.get().metadata().get(SHA256_METADATA));
                LOG.info(() -> "pool '" + settings.pool() + "': runner bundle " + url + " is in S3 already ("
                        + existing.get().contentLength() / (1024 * 1024) + " MiB, SHA-256 " + sha.orElse("not recorded")
                        + ")");
                published = new Published(url, sha);
                return published;
            }
            ContentCache.Entry zip = RunnerPackager.packageZip(workDir, recipe, wlp, version);
            String sha = sha256(zip.path());
            if (upload(bucket, objectKey, zip.path(), sha)) {
                published = new Published(url, Optional.of(sha));
            } else {
                String theirs = s3.headObject(b -> b.bucket(bucket).key(objectKey)).metadata().get(SHA256_METADATA);
                LOG.info(() -> "pool '" + settings.pool() + "': another parent uploaded " + url + " first; using it");
                published = new Published(url, Optional.ofNullable(theirs));
            }
            return published;
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw new IOException("cannot publish the runner bundle to " + url + " (" + key + "): " + e.getMessage()
                    + "; the parent needs s3:ListBucket on the prefix and s3:GetObject, s3:PutObject,"
                    + " s3:AbortMultipartUpload on its objects (README, EC2 backend)", e);
        }
    }

    /** Closes the S3 client. */
    void close() {
        s3.close();
    }

    private Optional<HeadObjectResponse> find(String bucket, String objectKey) {
        boolean listed = s3.listObjectsV2(b -> b.bucket(bucket).prefix(objectKey).maxKeys(1)).contents().stream()
                .anyMatch(o -> o.key().equals(objectKey));
        return listed ? Optional.of(s3.headObject(b -> b.bucket(bucket).key(objectKey))) : Optional.empty();
    }

    /** @return {@code false} when another parent completed the same key first */
    private boolean upload(String bucket, String objectKey, Path zip, String sha) throws IOException {
        long size = Files.size(zip);
        String target = "s3://" + bucket + "/" + objectKey;
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(objectKey).contentType("application/zip")
                .metadata(java.util.Map.of(SHA256_METADATA, sha))).uploadId();
        long start = System.nanoTime();
        List<CompletedPart> parts = new ArrayList<>();
        try (InputStream in = Files.newInputStream(zip)) {
            long sent = 0;
            for (int number = 1; sent < size; number++) {
                byte[] part = in.readNBytes((int) Math.min(PART_SIZE, size - sent));
                int n = number;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(n)
                        .contentLength((long) part.length), RequestBody.fromBytes(part)).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                sent += part.length;
                long done = sent;
                LOG.info(() -> "pool '" + settings.pool() + "': uploading runner bundle to " + target + ": "
                        + done / (1024 * 1024) + " of " + size / (1024 * 1024) + " MiB (" + (100 * done / size) + "%)");
            }
            // only if nobody completed the key meanwhile (another replica of this build): the object, and the
            // digest its runners are given, must stay the one that is there
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId).ifNoneMatch("*")
                    .multipartUpload(m -> m.parts(parts)));
        } catch (S3Exception e) {
            abort(bucket, objectKey, uploadId, e);
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            abort(bucket, objectKey, uploadId, e);
            throw e;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        LOG.info(() -> "pool '" + settings.pool() + "': uploaded runner bundle " + target + " (" + size / (1024 * 1024)
                + " MiB, SHA-256 " + sha + ") in " + ms + " ms");
        return true;
    }

    private void abort(String bucket, String objectKey, String uploadId, Exception cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
        } catch (RuntimeException abort) {
            cause.addSuppressed(abort);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no SHA-256 in this JVM", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), d)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
