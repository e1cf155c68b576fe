package io.flameec2.impl.remote;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parent's HTTP client for its runners: one JDK {@link HttpClient} (HTTP/1.1, kept-alive connections per
 * runner) whose blocking {@link HttpClient#send} runs on a pool of reused threads.
 *
 * <p>Why not {@link HttpClient#sendAsync}: the JDK completes every {@code sendAsync} future through
 * {@code CompletableFuture}'s default executor, and on a machine with 2 CPUs or fewer (the common pool then
 * has one thread) that executor starts a new thread per task: a thread per call and per heartbeat (measured
 * in {@code bench/TransportBench}: about 300 thread starts a second and the throughput of 64 callers at a
 * quarter of the HTTP floor). {@code send} does not take that path; its thread here is taken from, and given
 * back to, a cached pool.
 */
final class RunnerHttp implements AutoCloseable {

    private final HttpClient client;
    private final ExecutorService senders;

    RunnerHttp(String pool) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        AtomicInteger n = new AtomicInteger();
        this.senders = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "flame-" + pool + "-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sends a request; the future completes with the response, or with the {@link IOException} (such as
     * {@link java.net.http.HttpTimeoutException} or {@link java.net.ConnectException}) of the exchange.
     *
     * @param request the request
     * @param replies how to read the body
     * @return the response, completed on a sender thread
     */
    CompletableFuture<HttpResponse<byte[]>> send(HttpRequest request, HttpResponse.BodyHandler<byte[]> replies) {
        CompletableFuture<HttpResponse<byte[]>> response = new CompletableFuture<>();
        try {
            senders.execute(() -> {
                try {
                    response.complete(client.send(request, replies));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    response.completeExceptionally(new IOException("the backend closed during the request to "
                            + request.uri(), e));
                } catch (IOException | RuntimeException e) {
                    response.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            response.completeExceptionally(new IOException("the backend is closed; not sent: " + request.uri(), e));
        }
        return response;
    }

    /** Takes no new requests; those under way still end (each has a timeout), as they did with sendAsync. */
    @Override
    public void close() {
        senders.shutdown();
    }
}
