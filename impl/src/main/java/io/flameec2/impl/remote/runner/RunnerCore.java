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
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The runner side of FlameEC2, independent of the HTTP container: the servlet of the runner WAR and
 * {@link JdkRunnerServer} (tests) are thin adapters over {@link #handle}.
 *
 * <p>Lifecycle (FLAME's terminator): {@link #start} registers with the parent once the runner's own HTTP
 * port accepts connections, retrying until the boot timeout (else the runner exits); then a watchdog stops
 * the runner when the parent's heartbeats stop for the parent-loss timeout, or when no call came for the idle
 * timeout; the parent's shutdown request stops it too. A stop ({@link #beginStop}) ends within the
 * shutdown-timeout: in-flight calls drain, the rest are interrupted, then "exit" is the {@code exit} callback
 * (the runner WAR exits the JVM, halting it if the server does not stop within what is left of the timeout).
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
    private static final Duration EXIT_RESERVE = Duration.ofSeconds(2);
    /** Measured: a halted runner JVM (256 MB heap) is reaped 50-250 ms after halt on a loaded 2-core box. */
    private static final Duration PROCESS_TEARDOWN = Duration.ofMillis(300);
    private static final int LISTEN_PROBE_TIMEOUT_MS = 1000;
    private static final long LISTEN_POLL_MS = 100;

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
    private final RunnerExit exit;
    private final ScheduledExecutorService timers;
    private final ExecutorService callThreads;
    private final HttpClient http;
    private final AtomicReference<State> state = new AtomicReference<>(State.REGISTERING);
    private final Map<String, RunningCall> running = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final long startNanos = System.nanoTime();
    private volatile long lastHeartbeatNanos = System.nanoTime();
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile String stopReason;
    private volatile long stopDeadlineNanos;
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile boolean listening;

    /**
     * Creates a runner core; nothing happens until {@link #start}.
     *
     * @param settings what the parent said at boot
     * @param codec the codec (with the application's allow-list)
     * @param loader the application's class loader, resolving closures and arguments
     * @param invoker executes invocations (looked up per call, so a CDI-aware runner installed later is used)
     * @param threads makes the timer thread and the {@link #callThreads()} (a container's managed thread
     *     factory, if any)
     * @param exit ends the process once the runner stopped (called once, from a background thread)
     */
    public RunnerCore(RunnerSettings settings, WireCodec codec, ClassLoader loader, Supplier<InvocationRunner> invoker,
            ThreadFactory threads, RunnerExit exit) {
        this.settings = settings;
        this.auth = new WireAuth(settings.secret());
        this.codec = codec;
        this.loader = loader;
        this.invoker = invoker;
        this.exit = exit;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, threads);
        // a deadline timer per call, cancelled when the call ends: drop it then, not when it would have fired
        t.setRemoveOnCancelPolicy(true);
        this.timers = t;
        this.callThreads = Executors.newCachedThreadPool(threads);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Threads for a container to hand calls to (an asynchronous servlet), so that long calls never hold the
     * request threads that heartbeats and cancels need: {@link #handle} runs a call on the thread it is
     * given, and interrupts exactly that thread at the call's deadline, on cancel, or when the runner stops.
     *
     * @return the executor; it refuses work once the runner exited
     */
    public Executor callThreads() {
        return callThreads;
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
     * {@code FLAME_RUNNER_URL} overrides it, once {@code selfUrl} accepts connections.
     *
     * @param selfUrl this runner's base URL (ending in {@link #BASE_PATH})
     */
    public void start(URI selfUrl) {
        URI advertised = settings.advertiseUrl().orElse(selfUrl);
        LOG.info(() -> "flame runner " + settings.runnerId() + " of pool '" + settings.pool() + "' (app version "
                + settings.appVersion() + ") registering with parent " + settings.parentUrl() + " as " + advertised);
        timers.execute(() -> register(selfUrl, advertised, 0, null));
    }

    // ---------------------------------------------------------------- registration

    private void register(URI self, URI advertised, int attempt, String lastError) {
        if (state.get() != State.REGISTERING) {
            return;
        }
        long elapsedMs = elapsedMs(startNanos);
        if (elapsedMs > settings.bootTimeout().toMillis()) {
            stopNow("not registered with parent " + settings.parentUrl() + " within "
                    + settings.bootTimeout().toMillis() + " ms (" + attempt + " attempts; last error: " + lastError + ")");
            return;
        }
        // A registered runner gets its first call at once. Open Liberty binds its HTTP port only when the server is
        // ready, after this application started: registering earlier let that call be refused, and the parent
        // then gave up on the runner. So the parent hears from us once our own port accepts connections.
        if (!listening && !(listening = accepts(self))) {
            timers.schedule(() -> register(self, advertised, attempt, "this runner's own HTTP port ("
                    + self.getHost() + ":" + port(self) + ") accepts no connections yet"), LISTEN_POLL_MS,
                    TimeUnit.MILLISECONDS);
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
        timers.schedule(() -> register(self, advertised, attempt + 1, why), delay, TimeUnit.MILLISECONDS);
    }

    private static boolean accepts(URI url) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), port(url)), LISTEN_PROBE_TIMEOUT_MS);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(URI url) {
        return url.getPort() > 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    // ---------------------------------------------------------------- watchdog

    private void scheduleWatchdog() {
        long period = Math.max(50, Math.min(500, settings.parentLossTimeout().toMillis() / 10));
        timers.scheduleWithFixedDelay(this::watch, period, period, TimeUnit.MILLISECONDS);
    }

    private void watch() {
        if (state.get() != State.READY) {
            return;
        }
        long sinceHeartbeat = elapsedMs(lastHeartbeatNanos);
        if (sinceHeartbeat > settings.parentLossTimeout().toMillis()) {
            // the parent died at the earliest right after its last heartbeat: counting the shutdown-timeout from
            // there keeps the runner's end within parent-loss-timeout + shutdown-timeout of the parent's death
            beginStop("parent lost (no heartbeat for " + seconds(sinceHeartbeat) + ")", lastHeartbeatNanos
                    + settings.parentLossTimeout().toNanos() + settings.shutdownTimeout().toNanos());
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
     * Stops taking calls and ends the runner within {@code timeout} (FLAME's shutdown_timeout: the whole
     * stop, the process's exit included): in-flight calls may finish until the exit's share of the timeout
     * is left, then they are interrupted and the runner exits. Idempotent; returns at once.
     *
     * @param reason why, for the log
     * @param timeout how long the stop may take in all
     */
    public void beginStop(String reason, Duration timeout) {
        beginStop(reason, System.nanoTime() + timeout.toNanos());
    }

    private void beginStop(String reason, long deadlineNanos) {
        if (!state.compareAndSet(State.READY, State.DRAINING) && !state.compareAndSet(State.REGISTERING, State.DRAINING)) {
            return;
        }
        stopReason = reason;
        stopDeadlineNanos = deadlineNanos;
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        // an orderly exit of Open Liberty takes about a second: keep up to 2 s of the timeout for it
        long drainUntil = deadlineNanos - Math.min(EXIT_RESERVE.toNanos(), left / 2);
        LOG.info(() -> "flame runner " + settings.runnerId() + " stopping: " + reason + "; draining "
                + inFlight.get() + " in-flight calls for up to " + TimeUnit.NANOSECONDS.toMillis(drainUntil
                - System.nanoTime()) + " ms, exiting within " + TimeUnit.NANOSECONDS.toMillis(left) + " ms");
        timers.execute(() -> awaitDrained(drainUntil));
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
        }
        finish(); // interrupts what still runs
    }

    private void stopNow(String reason) {
        State s = state.getAndSet(State.DRAINING);
        if (s == State.DRAINING || s == State.EXITED) {
            return;
        }
        stopReason = reason;
        stopDeadlineNanos = System.nanoTime() + settings.shutdownTimeout().toNanos();
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
        running.values().forEach(r -> r.interrupt(RunningCall.Interruption.STOPPING));
        timers.shutdown();
        callThreads.shutdown();
        exited.countDown();
        // the process must be gone by the deadline, not merely halting at it: leave the OS time to end the JVM
        Duration grace = Duration.ofNanos(Math.max(0, stopDeadlineNanos - PROCESS_TEARDOWN.toNanos()
                - System.nanoTime()));
        Thread t = new Thread(() -> exit.exit(reason, grace), "flame-runner-exit");
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
        RunningCall run = running.get(callId);
        if (run == null) {
            return RunnerResponse.text(200, "no call " + callId + " is running");
        }
        run.interrupt(RunningCall.Interruption.CANCELLED);
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
        RunningCall run = new RunningCall();
        running.put(call.callId(), run);
        ScheduledFuture<?> deadline = null;
        if (call.timeLeftMillis() != Long.MAX_VALUE) {
            long waitMs = Math.max(0, call.timeLeftMillis() - elapsedMs(received));
            try {
                deadline = timers.schedule(() -> run.interrupt(RunningCall.Interruption.DEADLINE), waitMs,
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                run.end();
                return new WireReply.Failed(WireFailure.of(new IllegalStateException("runner " + settings.runnerId()
                        + " is stopping", e)));
            }
        }
        Object value;
        Throwable failure = null;
        try {
            value = invoker.get().run(call.invocation());
        } catch (Throwable t) { // NOPMD: whatever the task threw travels to the caller, as in a local call
            value = null;
            failure = t;
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
        RunningCall.Interruption why = run.end();
        if (why == RunningCall.Interruption.DEADLINE) {
            LOG.info(() -> "flame runner " + settings.runnerId() + ": call " + call.callId() + " ("
                    + call.invocation().describe() + ") passed its deadline; interrupted");
            return new WireReply.TimedOut(call.invocation().describe() + " passed its deadline on runner "
                    + settings.runnerId() + " and was interrupted");
        }
        if (why == RunningCall.Interruption.CANCELLED) {
            return new WireReply.Cancelled("cancelled by the parent");
        }
        if (why == RunningCall.Interruption.STOPPING) {
            return new WireReply.Cancelled("interrupted: runner " + settings.runnerId() + " stopped (" + stopReason + ")");
        }
        return failure == null ? new WireReply.Value(value) : new WireReply.Failed(WireFailure.of(failure));
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
