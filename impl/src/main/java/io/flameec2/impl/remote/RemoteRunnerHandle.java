package io.flameec2.impl.remote;

import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.FlameTimeoutException;
import io.flameec2.event.StopReason;
import io.flameec2.impl.remote.RunnerLauncher.LaunchedRunner;
import io.flameec2.impl.wire.WireAuth;
import io.flameec2.impl.wire.WireCall;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireException;
import io.flameec2.impl.wire.WireReply;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerListener;
import io.flameec2.spi.RunnerState;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A registered remote runner, driven over HTTP: calls, cancellation, heartbeats and loss detection, drain.
 * Every request is signed and every reply verified before its body is decoded ({@link WireAuth}).
 *
 * <p>Loss: a connection failure on a call or heartbeat, heartbeats unanswered for the parent-loss timeout, a
 * reply failing authentication, or the launcher reporting the process/instance gone mark the runner
 * {@link RunnerState#LOST}: in-flight calls fail at once with {@link FlameRunnerLostException}, the
 * {@link RunnerListener} hears it once, and the launcher terminates what is left.
 */
final class RemoteRunnerHandle implements FlameRunnerHandle {

    private static final Logger LOG = Logger.getLogger(RemoteRunnerHandle.class.getName());
    /** Extra time over a call's deadline before the parent stops waiting for the runner's own timeout reply. */
    private static final Duration REPLY_GRACE = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final String id;
    private final String pool;
    private final URI base;
    private final WireAuth auth;
    private final WireCodec codec;
    private final ClassLoader loader;
    private final RunnerHttp http;
    private final LaunchedRunner launched;
    private final RunnerListener listener;
    private final ScheduledExecutorService timers;
    private final RemoteSettings settings;
    private final AtomicReference<RunnerState> state = new AtomicReference<>(RunnerState.READY);
    private final Map<String, CompletableFuture<Object>> inFlight = new ConcurrentHashMap<>();
    private final AtomicReference<CompletableFuture<Void>> stopped = new AtomicReference<>();
    private final AtomicBoolean heartbeatPending = new AtomicBoolean();
    private volatile long lastHeartbeatOkNanos = System.nanoTime();
    private volatile ScheduledFuture<?> heartbeats;
    private final BoundedBodyHandler replies;

    RemoteRunnerHandle(String id, String pool, URI base, String secret, WireCodec codec, ClassLoader loader,
            RunnerHttp http, LaunchedRunner launched, RunnerListener listener, ScheduledExecutorService timers,
            RemoteSettings settings) {
        this.id = id;
        this.pool = pool;
        this.base = base;
        this.auth = new WireAuth(secret);
        this.codec = codec;
        this.loader = loader;
        this.http = http;
        this.launched = launched;
        this.listener = listener;
        this.timers = timers;
        this.settings = settings;
        // a result is at most max-bytes (the runner's codec enforces it); the rest is envelope and text
        this.replies = new BoundedBodyHandler(settings.filter().maxBytes() + 64 * 1024);
    }

    void startHeartbeats() {
        long ms = settings.heartbeatInterval().toMillis();
        heartbeats = timers.scheduleWithFixedDelay(this::heartbeat, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public RunnerState state() {
        return state.get();
    }

    /**
     * What the launcher started, for logs.
     *
     * @return the description
     */
    String describe() {
        return launched.describe();
    }

    // ------------------------------------------------------------------ calls

    @Override
    public CompletableFuture<Object> invoke(FlameCall call) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        RunnerState s = state.get();
        if (s != RunnerState.READY) {
            result.completeExceptionally(s == RunnerState.LOST
                    ? new FlameRunnerLostException(pool, id, "it is lost", null)
                    : new FlameRejectedException("runner " + id + " of pool '" + pool + "' is " + s
                            + " and takes no calls", null));
            return result;
        }
        byte[] body;
        try {
            body = codec.encode(WireCall.of(call));
        } catch (WireException e) {
            result.completeExceptionally(new FlameRejectedException("call " + call.callId() + " ("
                    + call.invocation().describe() + ") cannot be sent: " + e.getMessage(), e));
            return result;
        }
        Duration given = call.timeLeft().orElse(null); // what the call had when sent; null: no deadline
        Map<String, String> signed = auth.signRequest("POST", "/call", body);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/call"))
                .header("Content-Type", "application/x-java-serialized-object")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (given != null) {
            Duration wait = given.plus(REPLY_GRACE);
            req.timeout(wait.isNegative() || wait.isZero() ? REPLY_GRACE : wait);
        }
        signed.forEach(req::header);
        inFlight.put(call.callId(), result);
        // a runner that went LOST between the state check and the put: fail here, markLost may have missed it
        if (state.get() == RunnerState.LOST) {
            result.completeExceptionally(new FlameRunnerLostException(pool, id, "it is lost", null));
            inFlight.remove(call.callId());
            return result;
        }
        CompletableFuture<HttpResponse<byte[]>> exchange = http.send(req.build(), replies);
        exchange.whenComplete((resp, error) -> {
            try {
                if (error != null) {
                    failed(call, given, result, unwrap(error));
                } else {
                    replied(call, given, signed.get(WireAuth.NONCE), resp, result);
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        result.whenComplete((v, e) -> {
            inFlight.remove(call.callId());
            if (result.isCancelled()) {
                cancelRemote(call.callId());
            }
        });
        return result;
    }

    private void replied(FlameCall call, Duration given, String nonce, HttpResponse<byte[]> resp,
            CompletableFuture<Object> result) {
        WireAuth.Verdict verdict = auth.verifyReply(resp.statusCode(), "/call", nonce,
                name -> resp.headers().firstValue(name).orElse(null), resp.body());
        if (verdict != WireAuth.Verdict.OK) {
            if (resp.statusCode() == 401) {
                result.completeExceptionally(new FlameRejectedException("runner " + id + " refused call "
                        + call.callId() + " as unauthenticated: " + text(resp) + " (clocks more than "
                        + WireAuth.DEFAULT_WINDOW.toSeconds() + " s apart?)", null));
            } else {
                markLost("its reply to call " + call.callId() + " failed authentication (" + verdict.reason()
                        + "): something else answers at " + base, null);
            }
            return;
        }
        switch (resp.statusCode()) {
            case 200 -> decoded(call, given, resp.body(), result);
            case 503 -> result.completeExceptionally(new FlameRejectedException(text(resp), null));
            default -> result.completeExceptionally(new FlameRejectedException("runner " + id + " refused call "
                    + call.callId() + " (" + call.invocation().describe() + "): HTTP " + resp.statusCode() + ": "
                    + text(resp), null));
        }
    }

    private void decoded(FlameCall call, Duration given, byte[] body, CompletableFuture<Object> result) {
        WireReply reply;
        try {
            reply = codec.decode(body, loader, WireReply.class);
        } catch (WireException e) {
            result.completeExceptionally(new FlameRejectedException("the result of call " + call.callId() + " ("
                    + call.invocation().describe() + ") on runner " + id + " cannot be read: " + e.getMessage(), e));
            return;
        }
        if (reply instanceof WireReply.Value v) {
            result.complete(v.value());
        } else if (reply instanceof WireReply.Failed f) {
            result.completeExceptionally(f.failure().toException(id));
        } else if (reply instanceof WireReply.TimedOut t) {
            result.completeExceptionally(new FlameTimeoutException(pool, given == null ? Duration.ZERO : given,
                    t.message()));
        } else if (reply instanceof WireReply.Cancelled c) {
            result.completeExceptionally(new CancellationException(c.message()));
        }
    }

    private void failed(FlameCall call, Duration given, CompletableFuture<Object> result, Throwable error) {
        if (result.isDone()) {
            return;
        }
        if (error instanceof HttpTimeoutException) {
            result.completeExceptionally(new FlameTimeoutException(pool,
                    given, "runner " + id
                            + " sent no reply to call " + call.callId() + " within " + REPLY_GRACE.toSeconds()
                            + " s after its deadline"));
        } else if (error instanceof IOException) {
            markLost("call " + call.callId() + " failed: " + error, error);
            result.completeExceptionally(lost("call " + call.callId() + " failed: " + error, error));
        } else {
            result.completeExceptionally(error);
        }
    }

    private void cancelRemote(String callId) {
        if (state.get() == RunnerState.LOST || state.get() == RunnerState.STOPPED) {
            return;
        }
        String path = "/cancel/" + callId;
        send(path, new byte[0], Duration.ofSeconds(10)).whenComplete((r, e) -> {
            if (e != null) {
                LOG.log(Level.FINE, "flame: cancel of call " + callId + " on runner " + id + " failed", e);
            }
        });
    }

    // ------------------------------------------------------------------ heartbeats and loss

    private void heartbeat() {
        RunnerState s = state.get();
        if (s != RunnerState.READY && s != RunnerState.DRAINING) {
            return;
        }
        if (!launched.isAlive()) {
            if (watching()) {
                markLost(launched.describe() + " is gone", null);
            }
            return;
        }
        if (!heartbeatPending.compareAndSet(false, true)) {
            checkSilence(null);
            return;
        }
        send("/heartbeat", new byte[0], settings.parentLossTimeout()).whenComplete((resp, e) -> {
            heartbeatPending.set(false);
            if (e == null && resp.statusCode() == 200) {
                lastHeartbeatOkNanos = System.nanoTime();
                String runnerState = text(resp);
                if ((runnerState.startsWith("DRAINING") || runnerState.startsWith("EXITED"))
                        && state.compareAndSet(RunnerState.READY, RunnerState.DRAINING)) {
                    // it stops on its own (idle failsafe, or it missed our heartbeats for a while): no new
                    // calls; its in-flight calls may still finish; it is reported lost once it is gone
                    LOG.info(() -> "flame runner " + id + " of pool '" + pool + "' is stopping on its own ("
                            + runnerState + "); it takes no new calls");
                }
            } else if (watching()) {
                Throwable cause = e == null ? null : unwrap(e);
                if (cause instanceof ConnectException) {
                    markLost("heartbeat refused: nothing listens at " + base + " (" + cause + ")", cause);
                } else {
                    checkSilence(cause != null ? cause.toString() : "HTTP " + resp.statusCode());
                }
            }
        });
    }

    /** Whether losing the runner now is news for the pool: it is ready, or draining without being asked to. */
    private boolean watching() {
        RunnerState s = state.get();
        return s == RunnerState.READY || (s == RunnerState.DRAINING && stopped.get() == null);
    }

    private void checkSilence(String lastError) {
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeartbeatOkNanos);
        if (silentMs > settings.parentLossTimeout().toMillis() && watching()) {
            markLost("no heartbeat answer for " + silentMs + " ms (" + RemoteSettings.PARENT_LOSS_TIMEOUT + " "
                    + settings.parentLossTimeout().toMillis() + " ms)" + (lastError == null ? "" : ": " + lastError),
                    null);
        }
    }

    /** Sends a signed request and verifies the reply's signature; a bad signature fails the future. */
    private CompletableFuture<HttpResponse<byte[]>> send(String path, byte[] body, Duration timeout) {
        Map<String, String> signed = auth.signRequest("POST", path, body);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signed.forEach(req::header);
        return http.send(req.build(), replies).thenApply(resp -> {
            WireAuth.Verdict v = auth.verifyReply(resp.statusCode(), path, signed.get(WireAuth.NONCE),
                    name -> resp.headers().firstValue(name).orElse(null), resp.body());
            if (v != WireAuth.Verdict.OK) {
                throw new CompletionException(new IOException("reply of " + base + path + " failed authentication: "
                        + v.reason() + " (HTTP " + resp.statusCode() + ")"));
            }
            return resp;
        });
    }

    private void markLost(String how, Throwable cause) {
        RunnerState before = state.getAndUpdate(s -> s == RunnerState.READY || s == RunnerState.DRAINING
                ? RunnerState.LOST : s);
        if (before != RunnerState.READY && before != RunnerState.DRAINING) {
            return;
        }
        FlameRunnerLostException lost = lost(how, cause);
        LOG.warning(() -> "flame runner " + id + " of pool '" + pool + "' (" + launched.describe() + ") lost: " + how);
        stopHeartbeats();
        inFlight.values().forEach(f -> f.completeExceptionally(lost));
        launched.terminate();
        if (stopped.get() == null) {
            listener.lost(id, lost);
        }
    }

    private FlameRunnerLostException lost(String how, Throwable cause) {
        return new FlameRunnerLostException(pool, id, how, cause);
    }

    private void stopHeartbeats() {
        ScheduledFuture<?> h = heartbeats;
        if (h != null) {
            h.cancel(false);
        }
    }

    // ------------------------------------------------------------------ stop

    @Override
    public CompletableFuture<Void> stop(StopReason reason, Duration drainTimeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!stopped.compareAndSet(null, done)) {
            return stopped.get();
        }
        RunnerState before = state.getAndUpdate(s -> s == RunnerState.READY ? RunnerState.DRAINING : s);
        if (before != RunnerState.READY && before != RunnerState.DRAINING) {
            stopHeartbeats();
            launched.terminate();
            state.compareAndSet(RunnerState.DRAINING, RunnerState.STOPPED);
            done.complete(null);
            return done;
        }
        LOG.info(() -> "flame runner " + id + " of pool '" + pool + "' stopping (" + reason + "), draining up to "
                + drainTimeout.toMillis() + " ms");
        byte[] body = Long.toString(drainTimeout.toMillis()).getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + drainTimeout.plus(STOP_GRACE).toNanos();
        send("/shutdown", body, Duration.ofSeconds(10)).whenComplete((r, e) -> {
            if (e != null) {
                LOG.info(() -> "flame runner " + id + ": shutdown request failed (" + unwrap(e)
                        + "); terminating " + launched.describe());
                finishStop(done, reason);
            } else {
                awaitExit(done, reason, deadline);
            }
        });
        return done;
    }

    private void awaitExit(CompletableFuture<Void> done, StopReason reason, long deadlineNanos) {
        // also wait for the in-flight calls: a reply can still be on its way when the process is gone
        if ((launched.isAlive() || !inFlight.isEmpty()) && System.nanoTime() < deadlineNanos) {
            timers.schedule(() -> awaitExit(done, reason, deadlineNanos), 100, TimeUnit.MILLISECONDS);
            return;
        }
        finishStop(done, reason);
    }

    private void finishStop(CompletableFuture<Void> done, StopReason reason) {
        stopHeartbeats();
        launched.terminate();
        state.set(RunnerState.STOPPED);
        FlameRunnerLostException gone = lost("it stopped (" + reason + ") before the call ended", null);
        inFlight.values().forEach(f -> f.completeExceptionally(gone));
        LOG.info(() -> "flame runner " + id + " of pool '" + pool + "' stopped (" + reason + ")");
        done.complete(null);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String text(HttpResponse<byte[]> resp) {
        return new String(resp.body(), StandardCharsets.UTF_8).trim();
    }
}
