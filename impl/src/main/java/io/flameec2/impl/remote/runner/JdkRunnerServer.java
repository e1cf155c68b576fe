package io.flameec2.impl.remote.runner;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hosts a {@link RunnerCore} behind the JDK's HTTP server, without a Jakarta EE container: for tests and
 * for embedding. In an application, the runner WAR's servlet does the same inside Open Liberty.
 */
public final class JdkRunnerServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JdkRunnerServer.class.getName());

    private final HttpServer server;
    private final ExecutorService threads;
    private volatile RunnerCore core;

    private JdkRunnerServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /**
     * Binds a server; it answers 404 until {@link #serve} gives it a core (a parent-mode application).
     *
     * @param address where to listen; port 0 picks a free port
     * @return the running server
     * @throws IOException when binding fails
     */
    public static JdkRunnerServer bind(InetSocketAddress address) throws IOException {
        noDelay();
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "flame-runner-http");
            t.setDaemon(true);
            return t;
        });
        JdkRunnerServer s = new JdkRunnerServer(server, threads);
        server.createContext(RunnerCore.BASE_PATH, s::exchange);
        server.setExecutor(threads);
        server.start();
        return s;
    }

    /**
     * Routes requests to a core.
     *
     * @param runnerCore the core
     */
    public void serve(RunnerCore runnerCore) {
        this.core = runnerCore;
    }

    /**
     * The base URL of the routes, {@code http://host:port/flame/runner}.
     *
     * @return the URL
     */
    public URI baseUrl() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create("http://" + host + ":" + a.getPort() + RunnerCore.BASE_PATH);
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex; InputStream body = ex.getRequestBody()) {
            RunnerCore c = core;
            RunnerResponse r;
            if (c == null) {
                r = RunnerResponse.text(404, "this application is not a flame runner");
            } else {
                String route = ex.getRequestURI().getRawPath().substring(RunnerCore.BASE_PATH.length());
                String len = ex.getRequestHeaders().getFirst("Content-Length");
                try {
                    r = c.handle(ex.getRequestMethod(), route, ex.getRequestHeaders()::getFirst, body,
                            len == null ? -1 : parseLength(len));
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.SEVERE, "flame runner: " + route + " failed", e);
                    r = new RunnerResponse(500, java.util.Map.of(), String.valueOf(e).getBytes(
                            java.nio.charset.StandardCharsets.UTF_8), RunnerResponse.TEXT, () -> { });
                }
            }
            try {
                r.headers().forEach(ex.getResponseHeaders()::set);
                ex.getResponseHeaders().set("Content-Type", r.contentType());
                ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
                if (r.body().length > 0) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(r.body());
                    }
                }
            } finally {
                r.sent();
            }
        }
    }

    /**
     * Asks the JDK HTTP server for TCP_NODELAY unless configured otherwise: without it, a small reply written
     * as headers then body meets the client's delayed ACK and every call takes about 40 ms instead of 2 ms
     * (measured here). The JDK reads the property once, when its first server starts.
     */
    public static void noDelay() {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static long parseLength(String len) {
        try {
            return Long.parseLong(len.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Stops the server at once. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
