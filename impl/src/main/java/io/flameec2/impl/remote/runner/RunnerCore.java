package io.flameec2.impl.remote.runner;

import io.flameec2.impl.exec.InvocationRunner;
import io.flameec2.impl.remote.RunnerEnv;
import io.flameec2.impl.wire.BoundedBody;
import io.flameec2.impl.wire.WireAuth;
import io.flameec2.impl.wire.WireCall;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireException;
import io.flameec2.impl.wire.WireFailure;
import io.flameec2.impl.wire.WireReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The runner side of FlameEC2, independent of the HTTP container: the servlet of the runner WAR and
 * {@link JdkRunnerServer} (tests) are thin adapters over {@link #handle}.
 *
 * <p>Lifecycle (FLAME's terminator): {@link #start} registers with the parent, retrying until the boot
 * timeout (else the runner exits); then a watchdog drains and exits when the parent's heartbeats stop for
 * the parent-loss timeout, or when no call came for the idle timeout. The parent's shutdown request drains
 * in-flight calls up to the drain timeout, then exits. "Exit" is the {@code exit} callback (the runner WAR
 * calls {@code System.exit} from a separate thread).
 *
 * <p>Routes (POST, relative to {@code /flame/runner}): {@code /call}, {@code /cancel/<callId>},
 * {@code /heartbeat}, {@code /shutdown}. Every request is size-checked and authenticated ({@link WireAuth})
 * before anything is deserialized; every authenticated reply is signed.
 */
public final class RunnerCore {

    /** The path the runner routes live under. */
    public static final String BASE_PATH = "/flame/runner";

    private static final Logger LOG = Logger.getLogger(RunnerCore.class.getName());
    private static final Duration REGISTER_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** Where a runner is in its life. */
    public enum State {
        /** Not yet registered. */
        REGISTERING,
        /** Registered; taking calls. */
        READY,
        /** Stopping: taking no calls, finishing in-flight ones. */
        DRAINING,
        /** Gone (the exit callback ran). */
        EXITED
    }

    private final RunnerSettings settings;
    private final WireAuth auth;
    private final WireCodec codec;
    private final ClassLoader loader;
    private final Supplier<InvocationRunner> invoker;
    private final Consumer<String> exit;
    private final ExecutorService work;
    private final ScheduledExecutorService timers;
    private final HttpClient http;
    private final AtomicReference<State> state = new AtomicReference<>(State.REGISTERING);
    private final Map<String, Future<?>> running = new ConcurrentHashMap<>();
    private final Map<String, Boolean> cancelled = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final long startNanos = System.nanoTime();
    private volatile long lastHeartbeatNanos = System.nanoTime();
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile String stopReason;
    private final CountDownLatch exited = new CountDownLatch(1);

    /**
     * Creates a runner core; nothing happens until {@link #start}.
     *
     * @param settings what the parent said at boot
     * @param codec the codec (with the application's allow-list)
     * @param loader the application's class loader, resolving closures and arguments
     * @param invoker executes invocations (looked up per call, so a CDI-aware runner installed later is used)
     * @param threads makes the work and timer threads (a container's managed thread factory, if any)
     * @param exit called once, from a background thread, with the reason, when the runner must end
     */
    public RunnerCore(RunnerSettings settings, WireCodec codec, ClassLoader loader, Supplier<InvocationRunner> invoker,
            ThreadFactory threads, Consumer<String> exit) {
        this.settings = settings;
        this.auth = new WireAuth(settings.secret());
        this.codec = codec;
        this.loader = loader;
        this.invoker = invoker;
        this.exit = exit;
        this.work = Executors.newCachedThreadPool(threads);
        this.timers = Executors.newSingleThreadScheduledExecutor(threads);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * The runner's settings.
     *
     * @return the settings
     */
    public RunnerSettings settings() {
        return settings;
    }

    /**
     * The runner's state.
     *
     * @return the state
     */
    public State state() {
        return state.get();
    }

    /**
     * Why the runner stopped.
     *
     * @return the reason, or empty while it runs
     */
    public Optional<String> stopReason() {
        return Optional.ofNullable(stopReason);
    }

    /**
     * The calls running now.
     *
     * @return the count
     */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Starts registering with the parent in the background, advertising {@code selfUrl} unless
     * {@code FLAME_RUNNER_URL} overrides it.
     *
     * @param selfUrl this runner's base URL (ending in {@link #BASE_PATH})
     */
    public void start(URI selfUrl) {
        URI advertised = settings.advertiseUrl().orElse(selfUrl);
        LOG.info(() -> "flame runner " + settings.runnerId() + " of pool '" + settings.pool() + "' (app version "
                + settings.appVersion() + ") registering with parent " + settings.parentUrl() + " as " + advertised);
        timers.execute(() -> register(advertised, 0, null));
    }

    // ---------------------------------------------------------------- registration

    private void register(URI advertised, int attempt, String lastError) {
        if (state.get() != State.REGISTERING) {
            return;
        }
        long elapsedMs = elapsedMs(startNanos);
        if (elapsedMs > settings.bootTimeout().toMillis()) {
            stopNow("not registered with parent " + settings.parentUrl() + " within "
                    + settings.bootTimeout().toMillis() + " ms (" + attempt + " attempts; last error: " + lastError + ")");
            return;
        }
        Optional<String> expected = settings.expectedAppVersion();
        boolean mismatch = expected.isPresent() && !expected.get().equals(settings.appVersion());
        if (mismatch) {
            LOG.severe(() -> "flame runner " + settings.runnerId() + ": application version mismatch: parent runs "
                    + expected.get() + ", this runner runs " + settings.appVersion()
                    + "; deploy the same build to parent and runners. Reporting to the parent and exiting.");
        }
        String path = "/register/" + settings.runnerId();
        Properties p = new Properties();
        p.setProperty("runnerId", settings.runnerId());
        p.setProperty("url", advertised.toString());
        p.setProperty("appVersion", settings.appVersion());
        StringWriter w = new StringWriter();
        try {
            p.store(w, null);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        byte[] body = w.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, String> signed = auth.signRequest("POST", path, body);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(settings.parentUrl() + path))
                .timeout(REGISTER_REQUEST_TIMEOUT).header(WireAuth.RUNNER, settings.runnerId())
                .header("Content-Type", RunnerResponse.TEXT).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signed.forEach(req::header);
        String error;
        try {
            HttpResponse<byte[]> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            String text = new String(resp.body(), StandardCharsets.UTF_8).trim();
            WireAuth.Verdict verdict = auth.verifyReply(resp.statusCode(), path, signed.get(WireAuth.NONCE),
                    name -> resp.headers().firstValue(name).orElse(null), resp.body());
            if (verdict != WireAuth.Verdict.OK) {
                error = "HTTP " + resp.statusCode() + " from " + settings.parentUrl() + " failed authentication ("
                        + verdict.reason() + "): " + text;
            } else if (resp.statusCode() == 200 && !mismatch) {
                lastHeartbeatNanos = System.nanoTime();
                lastActivityNanos = System.nanoTime();
                if (state.compareAndSet(State.REGISTERING, State.READY)) {
                    LOG.info(() -> "flame runner " + settings.runnerId() + " registered with parent "
                            + settings.parentUrl() + " in " + elapsedMs(startNanos) + " ms");
                    scheduleWatchdog();
                }
                return;
            } else if (resp.statusCode() == 200 || resp.statusCode() == 409 || resp.statusCode() == 404) {
                // refused for good (version mismatch, or the parent gave up on this runner)
                String why = mismatch && resp.statusCode() == 200 ? "application version mismatch (parent "
                        + expected.get() + ", runner " + settings.appVersion() + ")" : text;
                stopNow("parent " + settings.parentUrl() + " refused the registration: " + why);
                return;
            } else {
                error = "HTTP " + resp.statusCode() + ": " + text;
            }
        } catch (IOException e) {
            error = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        String why = error;
        LOG.log(attempt == 0 ? Level.INFO : Level.FINE, () -> "flame runner " + settings.runnerId()
                + " could not register yet (attempt " + (attempt + 1) + "): " + why + "; retrying");
        long delay = Math.min(2000, 250L * (1L << Math.min(attempt, 3)));
        timers.schedule(() -> register(advertised, attempt + 1, why), delay, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- watchdog

    private void scheduleWatchdog() {
        long period = Math.max(50, Math.min(1000, settings.parentLossTimeout().toMillis() / 4));
        timers.scheduleWithFixedDelay(this::watch, period, period, TimeUnit.MILLISECONDS);
    }

    private void watch() {
        if (state.get() != State.READY) {
            return;
        }
        long sinceHeartbeat = elapsedMs(lastHeartbeatNanos);
        if (sinceHeartbeat > settings.parentLossTimeout().toMillis()) {
            beginStop("parent lost (no heartbeat for " + seconds(sinceHeartbeat) + ")", settings.shutdownTimeout());
            return;
        }
        Optional<Duration> idle = settings.idleShutdown();
        long idleMs = elapsedMs(lastActivityNanos);
        if (idle.isPresent() && inFlight.get() == 0 && idleMs > idle.get().toMillis()) {
            beginStop("idle for " + seconds(idleMs) + " (failsafe " + RunnerEnv.IDLE_SHUTDOWN_MS + ")",
                    settings.shutdownTimeout());
        }
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Stops taking calls, lets in-flight ones finish up to {@code drain}, interrupts the rest, then exits.
     * Idempotent; returns at once.
     *
     * @param reason why, for the log
     * @param drain how long in-flight calls may still take
     */
    public void beginStop(String reason, Duration drain) {
        if (!state.compareAndSet(State.READY, State.DRAINING) && !state.compareAndSet(State.REGISTERING, State.DRAINING)) {
            return;
        }
        stopReason = reason;
        LOG.info(() -> "flame runner " + settings.runnerId() + " stopping: " + reason + "; draining "
                + inFlight.get() + " in-flight calls for up to " + drain.toMillis() + " ms");
        long deadline = System.nanoTime() + drain.toNanos();
        timers.execute(() -> awaitDrained(deadline));
    }

    private void awaitDrained(long deadlineNanos) {
        if (inFlight.get() > 0 && System.nanoTime() < deadlineNanos) {
            timers.schedule(() -> awaitDrained(deadlineNanos), 50, TimeUnit.MILLISECONDS);
            return;
        }
        int left = inFlight.get();
        if (left > 0) {
            LOG.warning(() -> "flame runner " + settings.runnerId() + ": drain timeout passed, interrupting " + left
                    + " calls");
            running.values().forEach(f -> f.cancel(true));
        }
        finish();
    }

    private void stopNow(String reason) {
        State s = state.getAndSet(State.DRAINING);
        if (s == State.DRAINING || s == State.EXITED) {
            return;
        }
        stopReason = reason;
        LOG.severe(() -> "flame runner " + settings.runnerId() + " stopping: " + reason);
        finish();
    }

    private void finish() {
        if (state.getAndSet(State.EXITED) == State.EXITED) {
            return;
        }
        String reason = stopReason;
        LOG.info(() -> "flame runner " + settings.runnerId() + " exits after " + elapsedMs(startNanos) + " ms: "
                + reason);
        work.shutdownNow();
        timers.shutdown();
        exited.countDown();
        Thread t = new Thread(() -> exit.accept(reason), "flame-runner-exit");
        t.setDaemon(false);
        t.start();
    }

    /**
     * Waits until the runner exited (drained or gave up), such as while the container stops the application.
     *
     * @param timeout the longest wait
     * @return {@code true} when it exited in time
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return exited.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- requests

    /**
     * Handles one request. Order: route, method, size (413), authentication (401), then decoding (400).
     *
     * @param method the HTTP method
     * @param route the path below {@link #BASE_PATH}, such as {@code /call}
     * @param headers the request headers by name
     * @param body the request body
     * @param contentLength the declared length, or -1
     * @return the response
     */
    public RunnerResponse handle(String method, String route, UnaryOperator<String> headers, InputStream body,
            long contentLength) {
        String r = route == null ? "" : route;
        boolean known = r.equals("/call") || r.equals("/heartbeat") || r.equals("/shutdown")
                || (r.startsWith("/cancel/") && r.length() > "/cancel/".length());
        if (!known) {
            return RunnerResponse.text(404, "no such flame runner route: " + r);
        }
        if (!"POST".equals(method)) {
            return RunnerResponse.text(405, "flame runner routes take POST");
        }
        byte[] bytes;
        try {
            bytes = BoundedBody.read(body, contentLength, codec.filter().maxBytes());
        } catch (WireException e) {
            LOG.warning(() -> "flame runner " + settings.runnerId() + " refused " + r + ": " + e.getMessage());
            return RunnerResponse.text(e.status(), e.getMessage());
        } catch (IOException e) {
            return RunnerResponse.text(400, "could not read the body: " + e);
        }
        WireAuth.Verdict verdict = auth.verifyRequest(method, r, headers, bytes);
        if (verdict != WireAuth.Verdict.OK) {
            LOG.warning(() -> "flame runner " + settings.runnerId() + " refused unauthenticated " + method + " " + r
                    + ": " + verdict.reason());
            return RunnerResponse.text(401, "unauthenticated: " + verdict.reason());
        }
        RunnerResponse reply = dispatch(r, bytes);
        Map<String, String> signed = new LinkedHashMap<>(reply.headers());
        signed.putAll(auth.signReply(reply.status(), r, headers.apply(WireAuth.NONCE), reply.body()));
        return new RunnerResponse(reply.status(), signed, reply.body(), reply.contentType(), reply.onSent());
    }

    private RunnerResponse dispatch(String route, byte[] body) {
        switch (route) {
            case "/heartbeat":
                lastHeartbeatNanos = System.nanoTime();
                return RunnerResponse.text(200, state.get() + " " + inFlight.get());
            case "/shutdown":
                Duration drain = settings.shutdownTimeout();
                String text = new String(body, StandardCharsets.UTF_8).trim();
                if (!text.isEmpty()) {
                    try {
                        drain = Duration.ofMillis(Long.parseLong(text));
                    } catch (NumberFormatException e) {
                        return RunnerResponse.text(400, "shutdown body must be the drain timeout in ms, was '" + text + "'");
                    }
                }
                beginStop("the parent asked", drain);
                return RunnerResponse.text(202, "draining " + inFlight.get() + " calls");
            case "/call":
                return call(body);
            default:
                return cancel(route.substring("/cancel/".length()));
        }
    }

    private RunnerResponse cancel(String callId) {
        Future<?> f = running.get(callId);
        if (f == null) {
            return RunnerResponse.text(200, "no call " + callId + " is running");
        }
        cancelled.put(callId, Boolean.TRUE);
        f.cancel(true);
        LOG.fine(() -> "flame runner " + settings.runnerId() + " cancelled call " + callId);
        return RunnerResponse.text(200, "cancelled " + callId);
    }

    private RunnerResponse call(byte[] body) {
        long received = System.nanoTime();
        // REGISTERING too: the parent may send the first call before this side has read the registration reply
        State now = state.get();
        if (now != State.READY && now != State.REGISTERING) {
            return RunnerResponse.text(503, "runner " + settings.runnerId() + " is " + now
                    + " and takes no calls");
        }
        WireCall call;
        try {
            call = codec.decode(body, loader, WireCall.class);
        } catch (WireException e) {
            LOG.warning(() -> "flame runner " + settings.runnerId() + " refused a call: " + e.getMessage());
            return RunnerResponse.text(e.status(), e.getMessage());
        }
        inFlight.incrementAndGet();
        lastActivityNanos = System.nanoTime();
        Runnable done = RunnerResponse.once(() -> {
            running.remove(call.callId());
            cancelled.remove(call.callId());
            lastActivityNanos = System.nanoTime();
            inFlight.decrementAndGet();
        });
        try {
            return serialized(execute(call, received), done);
        } catch (RuntimeException | Error e) {
            done.run();
            throw e;
        }
    }

    private WireReply execute(WireCall call, long received) {
        Future<Object> future;
        try {
            future = work.submit(() -> invoker.get().run(call.invocation()));
        } catch (RejectedExecutionException e) {
            return new WireReply.Failed(WireFailure.of(new IllegalStateException("runner " + settings.runnerId()
                    + " is stopping", e)));
        }
        running.put(call.callId(), future);
        try {
            long waitMs = call.timeLeftMillis() == Long.MAX_VALUE ? Long.MAX_VALUE
                    : Math.max(0, call.timeLeftMillis() - elapsedMs(received));
            Object value = waitMs == Long.MAX_VALUE ? future.get() : future.get(waitMs, TimeUnit.MILLISECONDS);
            return new WireReply.Value(value);
        } catch (TimeoutException e) {
            future.cancel(true);
            LOG.info(() -> "flame runner " + settings.runnerId() + ": call " + call.callId() + " ("
                    + call.invocation().describe() + ") passed its deadline; interrupted");
            return new WireReply.TimedOut(call.invocation().describe() + " passed its deadline on runner "
                    + settings.runnerId() + " and was interrupted");
        } catch (CancellationException e) {
            return cancelledOrStopped(call);
        } catch (ExecutionException e) {
            if (cancelled.containsKey(call.callId())) {
                return cancelledOrStopped(call);
            }
            return new WireReply.Failed(WireFailure.of(e.getCause()));
        } catch (InterruptedException e) {
            // the container is stopping this request thread: stop the work too
            future.cancel(true);
            Thread.currentThread().interrupt();
            return new WireReply.Cancelled("the runner's request thread was interrupted");
        }
    }

    private WireReply cancelledOrStopped(WireCall call) {
        return new WireReply.Cancelled(cancelled.containsKey(call.callId()) ? "cancelled by the parent"
                : "interrupted: runner " + settings.runnerId() + " stopped (" + stopReason + ")");
    }

    private RunnerResponse serialized(WireReply reply, Runnable onSent) {
        byte[] bytes;
        try {
            bytes = codec.encode(reply);
        } catch (WireException e) {
            // the result cannot travel: tell the caller why instead of the value
            bytes = codec.encode(new WireReply.Failed(WireFailure.of(e)));
        }
        return new RunnerResponse(200, Map.of(), bytes, RunnerResponse.SERIALIZED, onSent);
    }

    // ---------------------------------------------------------------- helpers

    private static long elapsedMs(long sinceNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 || ms >= 10_000 ? (ms / 1000) + " s" : String.format("%.1f s", ms / 1000.0);
    }
}
