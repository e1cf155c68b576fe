package io.flameec2.impl.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Whoever answers at a runner's address cannot make the parent buffer more than the limit. */
class BoundedBodyHandlerTest {

    private HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            int size = Integer.parseInt(ex.getRequestURI().getQuery().replaceAll("\\D", ""));
            boolean chunked = ex.getRequestURI().getQuery().contains("chunked");
            ex.sendResponseHeaders(200, chunked ? 0 : size);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(new byte[size]);
            } catch (IOException clientGaveUp) {
                // expected when the client cancels
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private byte[] get(String query) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/?" + query);
        return http.sendAsync(HttpRequest.newBuilder(uri).build(), new BoundedBodyHandler(100_000)).get().body();
    }

    @Test
    void bodyWithinTheLimitIsRead() throws Exception {
        assertEquals(100_000, get("size=100000").length);
        assertEquals(5, get("size=5chunked").length);
    }

    @Test
    void declaredOversizeFails() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> get("size=3000000"));
        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("3000000 bytes exceeds 100000"), e.getCause().getMessage());
    }

    @Test
    void undeclaredOversizeFails() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> get("size=3000000chunked"));
        assertTrue(e.getCause().getMessage().contains("more than 100000 bytes"), e.getCause().getMessage());
    }
}
