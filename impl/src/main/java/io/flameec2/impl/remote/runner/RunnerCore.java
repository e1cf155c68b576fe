package io.flameec2.impl.remote.runner;

import io.flameec2.impl.channel.Body;
import io.flameec2.impl.channel.Connection;
import io.flameec2.impl.channel.EventLoops;
import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import io.flameec2.impl.backend.ec2.Imds;
import io.flameec2.impl.exec.Invoker;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.telemetry.RunnerTracing;
import io.flameec2.impl.telemetry.Telemetry;
import io.flameec2.impl.wire.WireCall;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireException;
import io.flameec2.impl.wire.WireFailure;
import io.flameec2.impl.wire.WireReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The runner side of FlameEC2, independent of the container: the runner WAR's listener creates and starts
 * it, tests run it in-process. A runner opens no port for FlameEC2: it connects out to its parent.
 *
 * <p>Lifecycle (FLAME's terminator): {@link #start} opens the runner's one connection to the parent
 * ({@link ParentLink}: TLS 1.3 trusting only the parent's certificate, then the one-time join token),
 * retrying until the boot timeout (else the runner exits); a refused join is final. Then a watchdog stops
 * the runner when the parent's heartbeats stop for the parent-loss timeout, or when no call came for the idle
 * timeout (also when its connection ended: a parent that lost it terminates it); the parent's stop request stops it too. A stop ({@link #beginStop})
 * ends within the shutdown-timeout: in-flight calls drain, the rest are interrupted, then "exit" is the
 * {@code exit} callback (the runner WAR exits the JVM, halting it if the server does not stop within what is
 * left of the timeout).
 *
 * <p>A runner on an EC2 spot instance ({@code FLAME_MARKET=spot}) watches the instance metadata for EC2's notices
 * ({@link InterruptionWatch}); on one it retires ({@link #retire}): it takes no new calls, tells the parent
 * ({@link FrameType#RETIRING}), drains its in-flight calls until shortly before the instance is taken, and exits.
 *
 * <p>Calls arrive on the connection's event loop, are handed to the call threads, decoded there (through the
 * allow-list: nothing arrives before the join succeeded), run, and their replies sent on the same stream.
 */
public final class RunnerCore implements Connection.Listener {

    private static final Logger LOG = Logger.getLogger(RunnerCore.class.getName());
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration EXIT_RESERVE = Duration.ofSeconds(2);
    /** Measured: a halted runner JVM (256 MB heap) is reaped 50-250 ms after halt on a loaded 2-core box. */
    private static final Duration PROCESS_TEARDOWN = Duration.ofMillis(300);

    /** Where a runner is in its life. */
    public enum State {
        /** Not yet joined. */
        JOINING,
        /** Joined; taking calls. */
        READY,
        /** Stopping: taking no calls, finishing in-flight ones. */
        DRAINING,
        /** Gone (the exit callback ran). */
        EXITED
    }

    private final RunnerSettings settings;
    private final WireCodec codec;
    private final ClassLoader loader;
    private final Supplier<Invoker> invoker;
    private final RunnerExit exit;
    private final ScheduledExecutorService timers;
    private final CallThreads callThreads;
    private final EventLoopGroup loops;
    private final ParentLink link;
    private final ThreadFactory threads;
    private volatile InterruptionWatch interruptionWatch;
    private final AtomicReference<State> state = new AtomicReference<>(State.JOINING);
    private final Map<Integer, RunningCall> running = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final long startNanos = System.nanoTime();
    private volatile Connection connection;
    private volatile long lastHeartbeatNanos = System.nanoTime();
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile String stopReason;
    private volatile String connectionEnded;
    private volatile long stopDeadlineNanos;
    /** Until when in-flight calls of a stopping runner may run; may only move earlier. */
    private volatile long drainUntilNanos;
    private final CountDownLatch exited = new CountDownLatch(1);

    /**
     * Creates a runner core; nothing happens until {@link #start}.
     *
     * @param settings what the parent said at boot
     * @param codec the codec (with the application's allow-list)
     * @param loader the application's class loader, resolving closures and arguments
     * @param invoker executes invocations (looked up per call, so a CDI-aware runner installed later is used)
     * @param threads makes the timer thread, the call threads and the connection's event loop (a container's
     *     managed thread factory, if any)
     * @param exit ends the process once the runner stopped (called once, from a background thread)
     */
    public RunnerCore(RunnerSettings settings, WireCodec codec, ClassLoader loader, Supplier<Invoker> invoker,
            ThreadFactory threads, RunnerExit exit) {
        this.settings = settings;
        this.codec = codec;
        this.loader = loader;
        this.invoker = invoker;
        this.exit = exit;
        this.threads = threads;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, threads);
        // a deadline timer per call, cancelled when the call ends: drop it then, not when it would have fired
        t.setRemoveOnCancelPolicy(true);
        this.timers = t;
        this.callThreads = new CallThreads(threads);
        this.loops = EventLoops.group(1, threads);
        // a call is at most max-bytes (the parent's codec enforces it) plus the envelope
        this.link = new ParentLink(settings, loops, codec.filter().maxBytes() + 64 * 1024);
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

    /** Connects to the parent and joins, in the background, retrying until the boot timeout. */
    public void start() {
        BootMarks.mark(BootMarks.APP);
        LOG.info(() -> "flame runner " + settings.runnerId() + " of pool '" + settings.pool() + "' (app version "
                + settings.appVersion() + ") joining parent " + settings.parentAddress() + " after "
                + elapsedMs(startNanos) + " ms");
        timers.execute(() -> join(0, null));
        if (settings.spot()) {
            InterruptionWatch watch = new InterruptionWatch(settings.runnerId(),
                    Imds.at(settings.imdsEndpoint().orElse(null)), InterruptionWatch.POLL, threads, this::retire);
            interruptionWatch = watch;
            watch.start();
        }
    }

    // ---------------------------------------------------------------- joining

    private void join(int attempt, String lastError) {
        if (state.get() != State.JOINING) {
            return;
        }
        long elapsedMs = elapsedMs(startNanos);
        if (elapsedMs > settings.bootTimeout().toMillis()) {
            stopNow("not joined with parent " + settings.parentAddress() + " within "
                    + settings.bootTimeout().toMillis() + " ms (" + attempt + " attempts; last error: " + lastError + ")");
            return;
        }
        Optional<String> expected = settings.expectedAppVersion();
        if (expected.isPresent() && !expected.get().equals(settings.appVersion())) {
            // the parent refuses the join too, and fails this runner's boot naming both versions
            LOG.severe(() -> "flame runner " + settings.runnerId() + ": application version mismatch: parent runs "
                    + expected.get() + ", this runner runs " + settings.appVersion()
                    + "; deploy the same build to parent and runners. Reporting to the parent and exiting.");
        }
        link.join(ATTEMPT_TIMEOUT, this).whenComplete((c, e) -> {
            if (e == null) {
                joined(c);
                return;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ParentLink.Refused) {
                stopNow("parent " + settings.parentAddress() + " refused the join: " + cause.getMessage());
                return;
            }
            String why = cause.getMessage();
            LOG.log(attempt == 0 ? Level.INFO : Level.FINE, () -> "flame runner " + settings.runnerId()
                    + " could not join yet (attempt " + (attempt + 1) + "): " + why + "; retrying");
            long delay = Math.min(2000, 100L * (1L << Math.min(attempt, 4)));
            try {
                timers.schedule(() -> join(attempt + 1, why), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                // the runner stopped meanwhile
            }
        });
    }

    private void joined(Connection c) {
        connection = c;
        lastHeartbeatNanos = System.nanoTime();
        lastActivityNanos = System.nanoTime();
        if (!state.compareAndSet(State.JOINING, State.READY)) {
            c.close("the runner stopped while joining");
            return;
        }
        LOG.info(() -> "flame runner " + settings.runnerId() + " joined parent " + settings.parentAddress() + " "
                + elapsedMs(startNanos) + " ms after the runner started");
        scheduleWatchdog();
    }

    // ---------------------------------------------------------------- frames from the parent

    @Override
    public void message(FrameType type, int stream, Body body) {
        if (type != FrameType.CALL) {
            return;
        }
        lastHeartbeatNanos = System.nanoTime(); // whatever the parent sends shows it is there
        State now = state.get();
        if (now != State.READY) {
            connection.controlText(FrameType.CALL_REFUSED, stream, "runner " + settings.runnerId() + " is " + now
                    + " and takes no calls");
            return;
        }
        inFlight.incrementAndGet();
        lastActivityNanos = System.nanoTime();
        long received = System.nanoTime();
        callThreads.execute(() -> call(stream, body, received), () -> refuseStopping(stream));
    }

    private void refuseStopping(int stream) {
        ended(stream);
        connection.controlText(FrameType.CALL_REFUSED, stream, "runner " + settings.runnerId() + " is stopping");
    }

    @Override
    public void control(FrameType type, int stream, ByteBuf payload) {
        switch (type) {
            case PING -> {
                lastHeartbeatNanos = System.nanoTime();
                State s = state.get();
                byte code = (byte) (s == State.DRAINING ? 1 : s == State.EXITED ? 2 : 0);
                connection.control(FrameType.PONG, 0, ByteBuffer.allocate(13).putLong(payload.readLong()).put(code)
                        .putInt(inFlight.get()).array());
            }
            case CANCEL -> {
                RunningCall run = running.get(stream);
                if (run != null) {
                    run.interrupt(RunningCall.Interruption.CANCELLED);
                    LOG.fine(() -> "flame runner " + settings.runnerId() + " cancelled the call on stream " + stream);
                }
            }
            case STOP -> beginStop("the parent asked", Duration.ofMillis(Math.max(0, payload.readLong())));
            default -> LOG.fine(() -> "flame runner " + settings.runnerId() + ": unexpected " + type + " frame ignored");
        }
    }

    @Override
    public void closed(String why) {
        // Parent loss works as it always did: the watchdog stops this runner once no heartbeat came for the
        // parent-loss timeout. A parent that is alive and lost this runner terminates it anyway; one that died
        // sends nothing more, so the runner goes within parent-loss-timeout + shutdown-timeout of its death.
        connectionEnded = why;
        LOG.warning(() -> "flame runner " + settings.runnerId() + ": the connection to parent "
                + settings.parentAddress() + " ended (" + why + "); stopping unless the parent is heard from within "
                + settings.parentLossTimeout().toMillis() + " ms of its last heartbeat");
    }

    // ---------------------------------------------------------------- calls

    /** On a call thread: decode, run, reply. */
    private void call(int stream, Body body, long received) {
        WireCall call;
        try {
            call = codec.decode(body.stream(), body.length(), loader, WireCall.class);
        } catch (WireException e) {
            LOG.warning(() -> "flame runner " + settings.runnerId() + " refused a call: " + e.getMessage());
            ended(stream);
            connection.controlText(FrameType.CALL_REFUSED, stream, e.getMessage());
            return;
        }
        Body reply;
        try {
            reply = serialized(execute(stream, call, received));
        } catch (RuntimeException | Error e) {
            ended(stream);
            throw e;
        }
        // a call counts as in flight until its reply is out, so a draining runner does not exit before it left
        connection.send(FrameType.REPLY, stream, reply, () -> ended(stream));
    }

    private void ended(int stream) {
        running.remove(stream);
        lastActivityNanos = System.nanoTime();
        inFlight.decrementAndGet();
    }

    private WireReply execute(int stream, WireCall call, long received) {
        RunningCall run = new RunningCall();
        running.put(stream, run);
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
        // current on this thread while the work runs, so spans the application makes nest under it
        RunnerTracing.RunSpan span = Telemetry.runnerTracing().start(settings.runnerId(), call.callId(),
                call.invocation(), call.traceparent());
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
        span.end(why == RunningCall.Interruption.DEADLINE ? "timeout" : why != null ? "cancelled"
                : failure != null ? "remote" : "ok", failure);
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

    private Body serialized(WireReply reply) {
        try {
            return encoded(reply);
        } catch (WireException e) {
            // the result cannot travel: tell the caller why instead of the value
            return encoded(new WireReply.Failed(WireFailure.of(e)));
        }
    }

    private Body encoded(WireReply reply) {
        Body.Writer out = Body.writer();
        codec.encode(reply, out);
        return out.toBody();
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
            String ended = connectionEnded;
            beginStop("parent lost (no heartbeat for " + seconds(sinceHeartbeat)
                    + (ended == null ? "" : "; the connection ended: " + ended) + ")", lastHeartbeatNanos
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
     * is left, then they are interrupted and the runner exits. The parent hears at once that this runner takes
     * no more calls. Idempotent; returns at once.
     *
     * @param reason why, for the log
     * @param timeout how long the stop may take in all
     */
    public void beginStop(String reason, Duration timeout) {
        beginStop(reason, System.nanoTime() + timeout.toNanos());
    }

    private void beginStop(String reason, long deadlineNanos) {
        if (!enterDraining()) {
            drainNoLaterThan(deadlineNanos); // a second reason to stop: the earlier deadline wins
            return;
        }
        Connection c = connection;
        if (c != null && c.isOpen()) {
            c.controlText(FrameType.STOPPING, 0, reason);
        }
        drain(reason, deadlineNanos, "; draining " + inFlight.get() + " in-flight calls", Level.INFO);
    }

    /**
     * Retires the runner on EC2's notice that its spot instance goes away: no new calls, the parent is told (it
     * boots a replacement if needed), in-flight calls drain until shortly before the instance is taken, then the
     * runner exits. A later notice with an earlier deadline (an interruption after a rebalance recommendation)
     * shortens the drain.
     *
     * @param notice the notice
     */
    public void retire(SpotNotice notice) {
        Instant now = Instant.now();
        Instant deadline = notice.drainDeadline(now);
        long deadlineNanos = System.nanoTime() + Duration.between(now, deadline).toNanos();
        String reason = notice.reason() + (notice.kind() == SpotNotice.Kind.INTERRUPTION
                ? " notice for " + notice.time() + ("terminate".equals(notice.action()) ? "" : " (" + notice.action()
                        + ")")
                : " of " + notice.time());
        if (!enterDraining()) {
            LOG.warning(() -> "flame runner " + settings.runnerId() + ": " + reason + " while stopping ("
                    + stopReason + "); exiting by " + deadline + " at the latest");
            drainNoLaterThan(deadlineNanos);
            return;
        }
        Connection c = connection;
        if (c != null && c.isOpen()) {
            c.control(FrameType.RETIRING, 0, Frames.retiring(deadline, notice.reason()));
        }
        // a warning: Liberty's console (the instance's journal) shows it, and it explains the runner's end
        drain(reason, deadlineNanos, ": draining " + inFlight.get() + " calls", Level.WARNING);
    }

    /** From taking calls (or joining) to draining; {@code false} when the runner was stopping already. */
    private boolean enterDraining() {
        return state.compareAndSet(State.READY, State.DRAINING) || state.compareAndSet(State.JOINING, State.DRAINING);
    }

    private synchronized void drain(String reason, long deadlineNanos, String draining, Level level) {
        stopReason = reason;
        stopDeadlineNanos = deadlineNanos;
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        // an orderly exit of Open Liberty takes about a second: keep up to 2 s of the timeout for it
        drainUntilNanos = deadlineNanos - Math.min(EXIT_RESERVE.toNanos(), left / 2);
        LOG.log(level, () -> "flame runner " + settings.runnerId() + " stopping: " + reason + draining
                + " for up to " + TimeUnit.NANOSECONDS.toMillis(drainUntilNanos - System.nanoTime())
                + " ms, exiting within " + TimeUnit.NANOSECONDS.toMillis(left) + " ms");
        try {
            timers.execute(this::awaitDrained);
        } catch (RejectedExecutionException e) {
            finish();
        }
    }

    /** Moves the end of a drain under way earlier, never later. */
    private synchronized void drainNoLaterThan(long deadlineNanos) {
        if (state.get() != State.DRAINING || stopReason == null || deadlineNanos - stopDeadlineNanos >= 0) {
            return;
        }
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        stopDeadlineNanos = deadlineNanos;
        drainUntilNanos = deadlineNanos - Math.min(EXIT_RESERVE.toNanos(), left / 2);
    }

    private void awaitDrained() {
        if (inFlight.get() > 0 && System.nanoTime() - drainUntilNanos < 0) {
            timers.schedule(this::awaitDrained, 20, TimeUnit.MILLISECONDS);
            return;
        }
        int left = inFlight.get();
        if (left > 0) {
            LOG.warning(() -> "flame runner " + settings.runnerId() + ": drain timeout passed, interrupting " + left
                    + " calls");
        }
        finish(); // interrupts what still runs
    }

    /**
     * Ends the runner at once, as a killed process would end as far as the parent can see: the connection
     * closes, nothing drains, running calls are interrupted, then the exit callback runs.
     *
     * @param reason why, for the log
     */
    public void abort(String reason) {
        if (state.get() == State.EXITED) {
            return;
        }
        stopReason = reason;
        stopDeadlineNanos = System.nanoTime();
        finish();
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
        // the connection first: a call interrupted now has no reply to send; its caller hears the runner stopped
        Connection c = connection;
        if (c != null) {
            c.close("the runner exits: " + reason);
        }
        running.values().forEach(r -> r.interrupt(RunningCall.Interruption.STOPPING));
        InterruptionWatch watch = interruptionWatch;
        if (watch != null) {
            watch.close();
        }
        timers.shutdown();
        callThreads.shutdown();
        loops.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS);
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

    // ---------------------------------------------------------------- helpers

    private static long elapsedMs(long sinceNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 || ms >= 10_000 ? (ms / 1000) + " s" : String.format("%.1f s", ms / 1000.0);
    }
}
