package io.flameec2.impl.remote.runner;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny IMDSv2 on loopback for tests: a token by PUT, metadata paths by GET with it (401 without a token it issued,
 * 404 for a path it does not hold), and EC2's spot notices on demand.
 */
public final class FakeImds implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> metadata = new ConcurrentHashMap<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    /** Metadata reads answered, by path. */
    public final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    /** Tokens issued. */
    public final AtomicInteger tokensIssued = new AtomicInteger();

    /**
     * Starts one on a free loopback port.
     *
     * @throws IOException when it cannot bind
     */
    public FakeImds() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    /** @return where it listens, {@code http://127.0.0.1:port} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** @param time when the instance is taken: serves {@code spot/instance-action} from now on */
    public void interrupt(Instant time) {
        metadata.put(SpotNotice.INSTANCE_ACTION, "{\"action\": \"terminate\", \"time\": \"" + time + "\"}");
    }

    /** Serves a rebalance recommendation from now on. */
    public void recommendRebalance() {
        metadata.put(SpotNotice.REBALANCE, "{\"noticeTime\": \"" + Instant.now().truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS) + "\"}");
    }

    /** Forgets every token issued, as a restarted metadata service would. */
    public void forgetTokens() {
        tokens.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/latest/api/token")) {
                if (!"PUT".equals(ex.getRequestMethod())
                        || ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds") == null) {
                    send(ex, 400, "");
                    return;
                }
                String token = UUID.randomUUID().toString();
                tokens.add(token);
                tokensIssued.incrementAndGet();
                send(ex, 200, token);
                return;
            }
            if (!tokens.contains(String.valueOf(ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token")))) {
                send(ex, 401, "");
                return;
            }
            String key = path.replaceFirst("^/latest/meta-data/", "");
            reads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            String value = metadata.get(key);
            send(ex, value == null ? 404 : 200, value == null ? "Not Found" : value);
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
