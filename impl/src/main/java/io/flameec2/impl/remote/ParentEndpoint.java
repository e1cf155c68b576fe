package io.flameec2.impl.remote;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flameec2.impl.wire.BoundedBody;
import io.flameec2.impl.wire.WireAuth;
import io.flameec2.impl.wire.WireException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * The parent's callback endpoint, where booting runners register: {@code POST <url>/register/<runnerId>},
 * signed with that runner's secret ({@link WireAuth}), body in {@link Properties} text form (never Java
 * serialization: the parent deserializes nothing from a registration). One endpoint per JVM and bind
 * address, shared by all pools: {@link #acquire} and {@link #release} count its users.
 *
 * <p>Hosted on the JDK's {@code com.sun.net.httpserver} (module {@code jdk.httpserver}), so it works the same
 * in plain tests and inside an application server.
 */
public final class ParentEndpoint {

    /** The path of the endpoint. */
    public static final String BASE_PATH = "/flame/parent";
    private static final Logger LOG = Logger.getLogger(ParentEndpoint.class.getName());
    private static final long MAX_REGISTRATION_BYTES = 16 * 1024;
    private static final Map<String, ParentEndpoint> SHARED = new HashMap<>();

    /**
     * A runner that registered.
     *
     * @param runnerId the runner
     * @param url the base URL of its routes
     * @param appVersion its application version
     */
    public record Registration(String runnerId, URI url, String appVersion) {
    }

    /** The registration of a runner was refused for good, such as for a version mismatch. */
    public static final class RegistrationRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RegistrationRefused(String message) {
            super(message);
        }
    }

    private record Pending(WireAuth auth, String appVersion, CompletableFuture<Registration> future) {
    }

    private final String key;
    private final HttpServer server;
    private final ExecutorService threads;
    private final URI url;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private int users;

    private ParentEndpoint(String key, HttpServer server, ExecutorService threads, URI url) {
        this.key = key;
        this.server = server;
        this.threads = threads;
        this.url = url;
    }

    /**
     * The endpoint for these settings, started on first use.
     *
     * @param settings where to bind and what to advertise
     * @return the endpoint; {@link #release} it when done
     * @throws IOException when the address cannot be bound
     */
    public static ParentEndpoint acquire(RemoteSettings settings) throws IOException {
        String key = settings.parentHost() + ":" + settings.parentPort();
        synchronized (SHARED) {
            ParentEndpoint e = SHARED.get(key);
            if (e == null) {
                e = start(key, settings);
                SHARED.put(key, e);
            }
            e.users++;
            return e;
        }
    }

    /** Gives the endpoint back; the last user stops it. */
    public void release() {
        synchronized (SHARED) {
            if (--users > 0) {
                return;
            }
            SHARED.remove(key);
        }
        server.stop(0);
        threads.shutdownNow();
        pending.values().forEach(p -> p.future().completeExceptionally(
                new IllegalStateException("the parent endpoint was closed")));
        LOG.info(() -> "flame parent endpoint " + url + " stopped");
    }

    private static ParentEndpoint start(String key, RemoteSettings settings) throws IOException {
        InetSocketAddress bind = new InetSocketAddress(settings.parentHost(), settings.parentPort());
        HttpServer server;
        try {
            io.flameec2.impl.remote.runner.JdkRunnerServer.noDelay();
            server = HttpServer.create(bind, 0);
        } catch (IOException e) {
            throw new IOException("cannot bind the flame parent endpoint to " + key + " (" + RemoteSettings.PARENT_HOST
                    + ", " + RemoteSettings.PARENT_PORT + "): " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "flame-parent-endpoint");
            t.setDaemon(true);
            return t;
        });
        int port = server.getAddress().getPort();
        URI url = settings.parentUrl().orElseGet(() -> URI.create("http://" + advertisedHost(bind.getAddress()) + ":"
                + port + BASE_PATH));
        ParentEndpoint e = new ParentEndpoint(key, server, threads, url);
        server.createContext(BASE_PATH, e::exchange);
        server.setExecutor(threads);
        server.start();
        LOG.info(() -> "flame parent endpoint listening on " + server.getAddress() + ", advertised to runners as " + url);
        return e;
    }

    /**
     * The base URL runners register at ({@code FLAME_PARENT_URL}).
     *
     * @return the URL
     */
    public URI url() {
        return url;
    }

    /**
     * Expects a runner's registration.
     *
     * @param runnerId the runner
     * @param secret its secret
     * @param appVersion the version it must run
     * @return completes when it registered, or exceptionally with {@link RegistrationRefused}
     */
    public CompletableFuture<Registration> expect(String runnerId, String secret, String appVersion) {
        CompletableFuture<Registration> f = new CompletableFuture<>();
        Pending previous = pending.putIfAbsent(runnerId, new Pending(new WireAuth(secret), appVersion, f));
        if (previous != null) {
            throw new IllegalStateException("runner " + runnerId + " is already expected");
        }
        f.whenComplete((r, e) -> pending.remove(runnerId));
        return f;
    }

    /**
     * Stops expecting a runner (its boot failed); a late registration is answered 404.
     *
     * @param runnerId the runner
     */
    public void forget(String runnerId) {
        Pending p = pending.remove(runnerId);
        if (p != null) {
            p.future().cancel(false);
        }
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            String route = ex.getRequestURI().getRawPath().substring(BASE_PATH.length());
            String runnerId = route.startsWith("/register/") ? route.substring("/register/".length()) : "";
            Pending p = runnerId.isEmpty() ? null : pending.get(runnerId);
            if (!"POST".equals(ex.getRequestMethod()) || p == null) {
                LOG.warning(() -> "flame parent endpoint: " + ex.getRequestMethod() + " " + route + " from "
                        + ex.getRemoteAddress() + " refused: no runner '" + runnerId + "' is booting");
                send(ex, 404, Map.of(), "no runner '" + runnerId + "' is booting here");
                return;
            }
            byte[] body;
            try {
                String len = ex.getRequestHeaders().getFirst("Content-Length");
                body = BoundedBody.read(in, len == null ? -1 : Long.parseLong(len.trim()), MAX_REGISTRATION_BYTES);
            } catch (WireException | NumberFormatException e) {
                send(ex, 413, Map.of(), "registration too large");
                return;
            }
            WireAuth.Verdict verdict = p.auth().verifyRequest("POST", route, ex.getRequestHeaders()::getFirst, body);
            if (verdict != WireAuth.Verdict.OK) {
                LOG.warning(() -> "flame parent endpoint: registration of runner " + runnerId + " from "
                        + ex.getRemoteAddress() + " refused: " + verdict.reason());
                send(ex, 401, Map.of(), "unauthenticated: " + verdict.reason());
                return;
            }
            String nonce = ex.getRequestHeaders().getFirst(WireAuth.NONCE);
            Properties props = new Properties();
            props.load(new StringReader(new String(body, StandardCharsets.UTF_8)));
            String runnerVersion = props.getProperty("appVersion", "");
            URI runnerUrl;
            try {
                runnerUrl = URI.create(props.getProperty("url", ""));
                if (!"http".equals(runnerUrl.getScheme()) && !"https".equals(runnerUrl.getScheme())) {
                    throw new IllegalArgumentException("not http(s)");
                }
            } catch (IllegalArgumentException e) {
                reply(ex, p, route, nonce, 400, "the registration's url is not an http(s) URL: "
                        + props.getProperty("url"));
                return;
            }
            if (!runnerId.equals(props.getProperty("runnerId"))) {
                reply(ex, p, route, nonce, 400, "the registration names runner " + props.getProperty("runnerId"));
                return;
            }
            if (!Objects.equals(p.appVersion(), runnerVersion)) {
                String why = "application version mismatch: the parent runs " + p.appVersion() + ", runner "
                        + runnerId + " runs " + runnerVersion + "; deploy the same build to parent and runners";
                reply(ex, p, route, nonce, 409, why);
                p.future().completeExceptionally(new RegistrationRefused(why));
                return;
            }
            reply(ex, p, route, nonce, 200, "registered");
            p.future().complete(new Registration(runnerId, runnerUrl, runnerVersion));
        }
    }

    private static void reply(HttpExchange ex, Pending p, String route, String nonce, int status, String text)
            throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        send(ex, status, p.auth().signReply(status, route, nonce, body), text);
    }

    private static void send(HttpExchange ex, int status, Map<String, String> headers, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        headers.forEach(ex.getResponseHeaders()::set);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * The host to advertise for a bind address: the address itself if specific, else the first non-loopback
     * IPv4 address of this machine, else {@code localhost}.
     *
     * @param bind the bind address, or {@code null} for any
     * @return a host literal for URLs
     */
    public static String advertisedHost(InetAddress bind) {
        if (bind != null && !bind.isAnyLocalAddress()) {
            return hostLiteral(bind);
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // fall back to localhost
        }
        return "localhost";
    }

    private static String hostLiteral(InetAddress a) {
        return a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    }
}
