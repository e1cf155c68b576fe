package io.flameec2.impl.backend.ec2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The instance metadata service of the instance this JVM runs on, with IMDSv2: a session token first (PUT), then
 * reads with it. The token is renewed before it expires and once more when the service refuses it (a restarted
 * service forgets its tokens), so one client serves a runner's whole life.
 *
 * <p>Two plain HTTP requests, so this uses the JDK's HTTP client rather than the SDK's {@code imds} module (which
 * is not published for the SDK version this project uses). Thread-safe.
 */
public final class Imds {

    /** The metadata service every instance reaches. */
    public static final URI DEFAULT_ENDPOINT = URI.create("http://169.254.169.254");
    /** Each request: the service is on the instance's own link, it answers in milliseconds or not at all. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The longest token EC2 issues (6 hours); renewed at 90 % of it. */
    private static final Duration TOKEN_TTL = Duration.ofHours(6);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final URI base;
    private String token;
    private long tokenRenewNanos;

    private Imds(URI base) {
        this.base = base;
    }

    /**
     * A client of the service at an endpoint.
     *
     * @param endpoint the service, or {@code null} for {@link #DEFAULT_ENDPOINT}
     * @return the client; nothing is requested yet
     */
    public static Imds at(URI endpoint) {
        return new Imds(endpoint == null ? DEFAULT_ENDPOINT : endpoint);
    }

    /**
     * The service's address.
     *
     * @return the endpoint
     */
    public URI endpoint() {
        return base;
    }

    /**
     * Reads a metadata path.
     *
     * @param path under {@code latest/meta-data/}, such as {@code spot/instance-action}
     * @return its value (trimmed), or empty when the service answers 404 (such as no interruption notice)
     * @throws IllegalStateException when the service answers anything else
     * @throws UncheckedIOException when it cannot be reached (not on EC2, metadata disabled)
     */
    public Optional<String> get(String path) {
        HttpResponse<String> r = read(path, token());
        if (r.statusCode() == 401) {
            r = read(path, renewToken()); // the service forgot our token
        }
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("instance metadata " + path + " at " + base + " answered "
                    + r.statusCode());
        }
        return Optional.of(r.body().trim());
    }

    /**
     * Reads a metadata path that must be there.
     *
     * @param path under {@code latest/meta-data/}
     * @return its value
     * @throws IllegalStateException when it is missing or the service answers badly
     */
    public String require(String path) {
        return get(path).orElseThrow(() -> new IllegalStateException("instance metadata " + path + " missing"));
    }

    private HttpResponse<String> read(String path, String sessionToken) {
        return send(HttpRequest.newBuilder(base.resolve("/latest/meta-data/" + path))
                .header("X-aws-ec2-metadata-token", sessionToken).GET());
    }

    private synchronized String token() {
        return token != null && System.nanoTime() - tokenRenewNanos < 0 ? token : renewToken();
    }

    private synchronized String renewToken() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/latest/api/token"))
                .header("X-aws-ec2-metadata-token-ttl-seconds", Long.toString(TOKEN_TTL.toSeconds()))
                .PUT(HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("IMDSv2 token request to " + base + " answered " + r.statusCode());
        }
        token = r.body().trim();
        tokenRenewNanos = System.nanoTime() + TOKEN_TTL.multipliedBy(9).dividedBy(10).toNanos();
        return token;
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
