package io.flameec2.impl.remote;

import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.FlameTimeoutException;
import io.flameec2.event.BootPhases;
import io.flameec2.event.StopReason;
import io.flameec2.impl.channel.Body;
import io.flameec2.impl.channel.Connection;
import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import io.flameec2.impl.remote.RunnerLauncher.LaunchedRunner;
import io.flameec2.impl.wire.WireCall;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireException;
import io.flameec2.impl.wire.WireReply;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerListener;
import io.flameec2.spi.RunnerState;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A joined remote runner, driven over its channel {@link Connection}: calls (one stream each), cancellation,
 * heartbeats, loss detection and stop. The connection is the runner's identity: it was authenticated once, by
 * the join, and nothing on it needs signing since.
 *
 * <p>Loss: the connection closing, heartbeats unanswered for the parent-loss timeout (a half-open
 * connection), or the launcher reporting the process/instance gone mark the runner {@link RunnerState#LOST}:
 * in-flight calls fail at once with {@link FlameRunnerLostException}, the {@link RunnerListener} hears it
 * once, and the launcher terminates what is left.
 *
 * <p>Retirement: a runner whose capacity is taken back with notice (an EC2 spot interruption) says so
 * ({@link FrameType#RETIRING}); it takes no new calls from then on, the {@link RunnerListener} hears
 * {@link RunnerListener#retiring} once (before the runner is gone), and calls that are still in flight when it goes
 * fail with a {@link FlameRunnerLostException} naming the reason ("spot interruption").
 */
final class RemoteRunnerHandle implements FlameRunnerHandle, EncodedCallSender, Connection.Listener {

    private static final Logger LOG = Logger.getLogger(RemoteRunnerHandle.class.getName());
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** Replies up to this size are decoded on the event loop: handing them off would cost more. */
    private static final int INLINE_DECODE_BYTES = 16 * 1024;

    private final String id;
    private final String pool;
    private final Connection connection;
    private final WireCodec codec;
    private final WireCodec replies;
    private final ClassLoader loader;
    private final Executor decoders;
    private final LaunchedRunner launched;
    private final RunnerListener listener;
    private final ScheduledExecutorService timers;
    private final RemoteSettings settings;
    /** Whether the backend closed: its runners are then abandoned, never terminated from here. */
    private final BooleanSupplier backendClosed;
    private final AtomicReference<RunnerState> state = new AtomicReference<>(RunnerState.READY);
    private final Map<Integer, Pending> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicReference<CompletableFuture<Void>> stopped = new AtomicReference<>();
    private volatile long lastPongNanos = System.nanoTime();
    private volatile long pingsSent;
    private volatile ScheduledFuture<?> heartbeats;
    /** Why the runner retires, once it said so; {@code null} before. */
    private volatile Frames.Retiring retiring;
    /** Guards what the listener hears: {@link RunnerListener#retiring} at most once, and never after lost. */
    private final Object listenerLock = new Object();
    private boolean retiringTold;
    private boolean lostTold;

    private volatile BootPhases bootPhases = BootPhases.none();

    /**
     * Records where the time of this runner's boot went, once it joined.
     *
     * @param phases the phases
     */
    void booted(BootPhases phases) {
        this.bootPhases = phases;
    }

    @Override
    public BootPhases bootPhases() {
        return bootPhases;
    }

    /** A call on its way: what to complete, and what to say about it. */
    private record Pending(String callId, String what, long sentNanos, CompletableFuture<Object> result) {
    }

    RemoteRunnerHandle(String id, String pool, Connection connection, WireCodec codec, WireCodec replies,
            ClassLoader loader,
            Executor decoders, LaunchedRunner launched, RunnerListener listener, ScheduledExecutorService timers,
            RemoteSettings settings, BooleanSupplier backendClosed) {
        this.id = id;
        this.pool = pool;
        this.connection = connection;
        this.codec = codec;
        this.replies = replies;
        this.loader = loader;
        this.decoders = decoders;
        this.launched = launched;
        this.listener = listener;
        this.timers = timers;
        this.settings = settings;
        this.backendClosed = backendClosed;
    }

    void startHeartbeats() {
        long ms = settings.heartbeatInterval().toMillis();
        heartbeats = timers.scheduleWithFixedDelay(this::heartbeat, 0, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public RunnerState state() {
        return state.get();
    }

    @Override
    public String market() {
        return launched.market();
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
        CompletableFuture<Object> refused = refusal();
        if (refused != null) {
            return refused;
        }
        Body body;
        try {
            Body.Writer out = Body.writer();
            codec.encode(WireCall.of(call), out);
            body = out.toBody();
        } catch (WireException e) {
            return CompletableFuture.failedFuture(new FlameRejectedException("call " + call.callId() + " ("
                    + call.invocation().describe() + ") cannot be sent: " + e.getMessage(), e));
        }
        return send(call.callId(), call.invocation().describe(), body);
    }

    @Override
    public CompletableFuture<Object> invokeEncoded(String callId, byte[] body) {
        CompletableFuture<Object> refused = refusal();
        return refused != null ? refused : send(callId, "an encoded call", Body.of(body));
    }

    /** Why this runner takes no call now, as a failed future; {@code null} when it takes calls. */
    private CompletableFuture<Object> refusal() {
        RunnerState s = state.get();
        if (s == RunnerState.READY) {
            return null;
        }
        Frames.Retiring r = retiring;
        return CompletableFuture.failedFuture(s == RunnerState.LOST
                ? lost("it is lost", null)
                // the runner's state, not the call's: another runner can take it
                : new FlameRejectedException("runner " + id + " of pool '" + pool + "' is "
                        + (r != null && s == RunnerState.DRAINING ? "retiring (" + r.reason() + ")" : s)
                        + " and takes no calls", null, true));
    }

    private CompletableFuture<Object> send(String callId, String what, Body body) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        int stream = streams.incrementAndGet();
        inFlight.put(stream, new Pending(callId, what, System.nanoTime(), result));
        // a runner that went LOST between the state check and the put: fail here, markLost may have missed it
        if (state.get() == RunnerState.LOST) {
            inFlight.remove(stream);
            result.completeExceptionally(lost("it is lost", null));
            return result;
        }
        result.whenComplete((v, e) -> {
            if (inFlight.remove(stream) != null && result.isCancelled() && connection.isOpen()) {
                connection.cancel(stream);
            }
        });
        connection.send(FrameType.CALL, stream, body, null);
        return result;
    }

    @Override
    public void message(FrameType type, int stream, Body body) {
        lastPongNanos = System.nanoTime(); // whatever the runner sends shows it is there
        Pending p = inFlight.get(stream);
        if (type != FrameType.REPLY || p == null) {
            return; // the reply of a call that was cancelled or timed out meanwhile
        }
        if (body.length() <= INLINE_DECODE_BYTES) {
            decoded(p, body);
            return;
        }
        try {
            decoders.execute(() -> decoded(p, body));
        } catch (RejectedExecutionException e) {
            p.result().completeExceptionally(lost("the backend closed while a reply was read", e));
        }
    }

    private void decoded(Pending p, Body body) {
        WireReply reply;
        try {
            reply = replies.decode(body.stream(), body.length(), loader, WireReply.class);
        } catch (WireException e) {
            p.result().completeExceptionally(new FlameRejectedException("the result of call " + p.callId() + " ("
                    + p.what() + ") on runner " + id + " cannot be read: " + e.getMessage(), e));
            return;
        }
        if (reply instanceof WireReply.Value v) {
            p.result().complete(v.value());
        } else if (reply instanceof WireReply.Failed f) {
            p.result().completeExceptionally(f.failure().toException(id));
        } else if (reply instanceof WireReply.TimedOut t) {
            p.result().completeExceptionally(new FlameTimeoutException(pool,
                    Duration.ofNanos(System.nanoTime() - p.sentNanos()), t.message()));
        } else if (reply instanceof WireReply.Cancelled c) {
            p.result().completeExceptionally(new CancellationException(c.message()));
        }
    }

    @Override
    public void control(FrameType type, int stream, ByteBuf payload) {
        switch (type) {
            case CALL_REFUSED -> {
                Pending p = inFlight.get(stream);
                if (p != null) {
                    p.result().completeExceptionally(new FlameRejectedException("runner " + id + " refused call "
                            + p.callId() + " (" + p.what() + "): " + Frames.text(payload), null));
                }
            }
            case PONG -> {
                lastPongNanos = System.nanoTime();
                payload.skipBytes(8);
                byte runnerState = payload.readByte();
                if (runnerState != 0) {
                    drainingOnItsOwn("it reports " + (runnerState == 1 ? "DRAINING" : "EXITED"));
                }
            }
            case STOPPING -> drainingOnItsOwn(Frames.text(payload));
            case RETIRING -> retiring(Frames.retiring(payload));
            default -> LOG.fine(() -> "flame runner " + id + " sent an unexpected " + type + " frame; ignored");
        }
    }

    private void drainingOnItsOwn(String why) {
        if (state.compareAndSet(RunnerState.READY, RunnerState.DRAINING)) {
            // it stops on its own (idle failsafe, or it missed our heartbeats for a while): no new calls; its
            // in-flight calls may still finish; it is reported lost once it is gone
            LOG.info(() -> "flame runner " + id + " of pool '" + pool + "' is stopping on its own (" + why
                    + "); it takes no new calls");
        }
    }

    /** On the event loop: the runner retires (its capacity is taken back with notice) and drains. */
    private void retiring(Frames.Retiring notice) {
        RunnerState before = state.getAndUpdate(s -> s == RunnerState.READY ? RunnerState.DRAINING : s);
        if (before != RunnerState.READY && before != RunnerState.DRAINING || retiring != null) {
            return;
        }
        retiring = notice;
        long secondsLeft = Math.max(0, Duration.between(Instant.now(), notice.deadline()).toSeconds());
        LOG.warning(() -> "flame runner " + id + " of pool '" + pool + "' (" + launched.describe() + ", "
                + launched.market() + ") is retiring: " + notice.reason() + "; it takes no new calls and drains its "
                + inFlight.size() + " calls in flight until " + notice.deadline() + " (" + secondsLeft
                + " s); calls still running then fail as runner-lost (retryable)");
        // under the lock, so that the pool never hears it after lost (markLost tells under it too); a runner the
        // pool is stopping already is no news to it
        synchronized (listenerLock) {
            if (retiringTold || lostTold || stopped.get() != null) {
                return;
            }
            retiringTold = true;
            listener.retiring(id, notice.reason());
        }
    }

    @Override
    public void closed(String why) {
        CompletableFuture<Void> stopping = stopped.get();
        if (stopping != null) {
            failInFlight(lost("it stopped before the call ended (" + why + ")", null));
            return;
        }
        markLost("its connection ended: " + why, null);
    }

    // ------------------------------------------------------------------ heartbeats and loss

    private void heartbeat() {
        RunnerState s = state.get();
        if (s != RunnerState.READY && s != RunnerState.DRAINING) {
            return;
        }
        if (!launched.isAlive()) {
            if (watching()) {
                markLost(launched.whyGone(), null);
            }
            return;
        }
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastPongNanos);
        if (silentMs > settings.parentLossTimeout().toMillis() && watching()) {
            markLost("no heartbeat answer for " + silentMs + " ms (" + RemoteSettings.PARENT_LOSS_TIMEOUT + " "
                    + settings.parentLossTimeout().toMillis() + " ms)", null);
            return;
        }
        connection.control(FrameType.PING, 0, ByteBuffer.allocate(8).putLong(++pingsSent).array());
    }

    /** Whether losing the runner now is news for the pool: it is ready, or draining without being asked to. */
    private boolean watching() {
        RunnerState s = state.get();
        return s == RunnerState.READY || (s == RunnerState.DRAINING && stopped.get() == null);
    }

    private void markLost(String how, Throwable cause) {
        RunnerState before = state.getAndUpdate(s -> s == RunnerState.READY || s == RunnerState.DRAINING
                ? RunnerState.LOST : s);
        if (before != RunnerState.READY && before != RunnerState.DRAINING) {
            return;
        }
        FlameRunnerLostException lost = lost(how, cause);
        Frames.Retiring r = retiring;
        int left = inFlight.size();
        LOG.log(r != null && left == 0 ? Level.INFO : Level.WARNING,
                () -> "flame runner " + id + " of pool '" + pool + "' (" + launched.describe() + ") "
                        + (r == null ? "lost: " : "retired (" + r.reason() + ") and is gone"
                                + (left == 0 ? ": " : " with " + left + " calls unfinished, which fail: ")) + how);
        stopHeartbeats();
        failInFlight(lost);
        connection.close("the runner is lost");
        if (!backendClosed.getAsBoolean()) {
            launched.terminate();
        }
        if (stopped.get() == null) {
            synchronized (listenerLock) {
                lostTold = true;
                listener.lost(id, lost);
            }
        }
    }

    private void failInFlight(FlameRunnerLostException lost) {
        inFlight.values().forEach(p -> p.result().completeExceptionally(lost));
    }

    /** A runner-lost failure; once the runner retired, its message leads with why ("spot interruption"). */
    private FlameRunnerLostException lost(String how, Throwable cause) {
        Frames.Retiring r = retiring;
        return new FlameRunnerLostException(pool, id, r == null ? how
                : r.reason() + " (the runner retired, to be gone by " + r.deadline() + "): " + how, cause);
    }

    private void stopHeartbeats() {
        ScheduledFuture<?> h = heartbeats;
        if (h != null) {
            h.cancel(false);
        }
    }

    // ------------------------------------------------------------------ stop

    @Override
    public CompletableFuture<Void> stop(StopReason reason, Duration shutdownTimeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!stopped.compareAndSet(null, done)) {
            return stopped.get();
        }
        RunnerState before = state.getAndUpdate(s -> s == RunnerState.READY ? RunnerState.DRAINING : s);
        if (before != RunnerState.READY && before != RunnerState.DRAINING || !connection.isOpen()) {
            finishStop(done, reason);
            return done;
        }
        LOG.info(() -> "flame runner " + id + " of pool '" + pool + "' stopping (" + reason + "), draining up to "
                + shutdownTimeout.toMillis() + " ms");
        long deadline = System.nanoTime() + shutdownTimeout.plus(STOP_GRACE).toNanos();
        connection.control(FrameType.STOP, 0, ByteBuffer.allocate(8).putLong(shutdownTimeout.toMillis()).array());
        awaitExit(done, reason, deadline);
        return done;
    }

    private void awaitExit(CompletableFuture<Void> done, StopReason reason, long deadlineNanos) {
        // the runner closes its connection when it exits; a reply can still be on its way until then
        if ((launched.isAlive() && connection.isOpen() || !inFlight.isEmpty()) && System.nanoTime() < deadlineNanos) {
            try {
                timers.schedule(() -> awaitExit(done, reason, deadlineNanos), 100, TimeUnit.MILLISECONDS);
                return;
            } catch (RejectedExecutionException closing) {
                // the backend closes: finish now
            }
        }
        finishStop(done, reason);
    }

    private void finishStop(CompletableFuture<Void> done, StopReason reason) {
        stopHeartbeats();
        connection.close("the runner stopped");
        if (!backendClosed.getAsBoolean()) {
            // as in markLost: a closed backend abandons its runners (they stop when their parent falls silent);
            // a pool that outlives its backend and stops a runner it lost must not reach for the instance then
            launched.terminate();
        }
        state.set(RunnerState.STOPPED);
        failInFlight(lost("it stopped (" + reason + ") before the call ended", null));
        LOG.info(() -> "flame runner " + id + " of pool '" + pool + "' stopped (" + reason + ")");
        done.complete(null);
    }
}
