package io.flameec2.impl.pool;

import io.flameec2.FlameBootException;
import io.flameec2.FlameException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.FlameTimeoutException;
import io.flameec2.event.FlamePoolEvent;
import io.flameec2.event.BootPhases;
import io.flameec2.event.PoolGrew;
import io.flameec2.event.PoolShrank;
import io.flameec2.event.RunnerBooting;
import io.flameec2.event.RunnerReady;
import io.flameec2.event.RunnerRetiring;
import io.flameec2.event.RunnerStopped;
import io.flameec2.event.StopReason;
import io.flameec2.spi.Deadline;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerBootSpec;
import io.flameec2.spi.RunnerListener;
import io.flameec2.status.PoolStatus;
import io.flameec2.status.RunnerStatus;
import io.flameec2.impl.exec.ContainerThreads;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pool engine: FLAME's {@code FLAME.Pool} for the JVM. All state sits behind one lock and every
 * transition is a short critical section with a name ({@code checkout}, {@code grow}, {@code keepMin},
 * {@code retire}, ...); backend calls, event delivery and caller completion happen outside it. Callers are
 * served in FIFO order by the least-loaded ready runner; when demand exceeds the free and booting capacity
 * the pool boots, in parallel, as many runners as the demand needs, up to {@code max}.
 *
 * <p>Beyond FLAME: {@code spare} runners are kept idle above demand ({@link #keepSpares}); a keyed call goes to
 * its key's owner ({@link KeyRouter}) and waits for a slot there; a runner the backend says is
 * {@linkplain #retiring retiring} takes no new calls, stops counting as capacity (so its replacement boots at
 * once) and stops, {@link StopReason#INTERRUPTED}, when its calls have ended. Runner time is metered by market
 * for the cost report ({@link RunnerTime}).
 *
 * <p>Every call ends exactly once (see {@link Call}). Deadlines, timeouts and idle times are monotonic
 * time; the engine reads no wall clock.
 */
public final class FlamePoolEngine implements Pool {

    private static final Logger LOG = Logger.getLogger("io.flameec2.pool");
    /**
     * How long after its deadline a dispatched call may still be answered by its runner before the pool
     * gives the caller a timeout itself. The runner interrupts the work at the deadline; this only covers a
     * runner that never answers.
     */
    static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(2);
    /**
     * How long past {@code shutdown-timeout} a pool shutting down waits for its runners' stops before it
     * closes the backend anyway: a backend's stop is bounded by {@code shutdown-timeout}, plus the time to
     * see the process or instance gone. Longer than a remote runner's own grace (5 s), after which its stop
     * terminates what did not exit: a stop still under way when the backend closes abandons its runner instead.
     */
    static final Duration STOP_WAIT_GRACE = Duration.ofSeconds(8);

    private final FlamePoolConfig config;
    private final FlameBackend backend;
    private final int slotsPerRunner;
    private final ScheduledExecutorService timers;
    private final ExecutorService events;
    /** Calls into the backend's boot, which may block for a moment (an EC2 API call), off the timer thread. */
    private final ExecutorService boots;
    private final Consumer<FlamePoolEvent> eventSink;
    private final PoolTelemetry telemetry;
    /** Deadlines, timeouts and idle time are read from this monotonic clock, never from the wall clock. */
    private final LongSupplier nanoClock;
    private final AtomicLong sequence = new AtomicLong();
    private final String runnerPrefix;

    private final Object lock = new Object();
    private final ThreadLocal<ArrayDeque<Dispatch>> sending = new ThreadLocal<>();
    private final Map<String, Runner> runners = new HashMap<>();
    /** The owners of routing keys: the ready runners that take calls. */
    private final KeyRouter router = new KeyRouter();
    private final RunnerTime runnerTime = new RunnerTime();
    /** Ready runners with a free slot, least loaded first. */
    private final TreeSet<Runner> available =
            new TreeSet<>(Comparator.comparingInt((Runner r) -> r.inFlight).thenComparingLong(r -> r.seq));
    /** Callers waiting for any slot, oldest first; completed ones are skipped lazily. */
    private final ArrayDeque<Call> waiters = new ArrayDeque<>();
    private final Set<Call> inFlight = new LinkedHashSet<>();
    /** Stops under way (completed ones pruned); shutdown waits for them. */
    private final List<CompletableFuture<Void>> stops = new ArrayList<>();
    /** One per boot under way, completed once {@link #booted} has dealt with its outcome; shutdown waits. */
    private final Set<CompletableFuture<Void>> bootsUnderWay = new LinkedHashSet<>();
    /** Live callers in {@link #waiters}. */
    private int waiting;
    /** Live keyed callers waiting in their owner's {@link Runner#keyedWaiters}. */
    private int parked;
    /** Runners booting that will serve calls (not retiring ones). */
    private int booting;
    /** Runners in {@link #runners} that are retiring: they no longer count as capacity. */
    private int retiringRunners;
    /**
     * Runners removed from the pool whose stop has not completed: they still count against max (but not those
     * that were retiring: their replacement is meant to boot before they are gone).
     */
    private int stopping;
    /** Boots failed since the last one that succeeded, and the last failure's message: for health checks. */
    private int consecutiveBootFailures;
    private String lastBootFailure;
    private boolean closed;
    private CompletableFuture<Void> shutdown;

    /**
     * Creates the pool and boots its {@code min} runners.
     *
     * @param config the pool's configuration
     * @param backend boots the runners; closed when the pool has shut down
     * @param eventSink receives the pool's events in order, on one thread of the pool's own
     */
    public FlamePoolEngine(FlamePoolConfig config, FlameBackend backend, Consumer<FlamePoolEvent> eventSink) {
        this(config, backend, eventSink, PoolTelemetry.NONE, System::nanoTime);
    }

    /**
     * Creates the pool, reporting to telemetry, and boots its {@code min} runners.
     *
     * @param config the pool's configuration
     * @param backend boots the runners; closed when the pool has shut down
     * @param eventSink receives the pool's events in order, on one thread of the pool's own
     * @param telemetry receives calls, boots and stops for metrics and traces
     */
    public FlamePoolEngine(FlamePoolConfig config, FlameBackend backend, Consumer<FlamePoolEvent> eventSink,
            PoolTelemetry telemetry) {
        this(config, backend, eventSink, telemetry, System::nanoTime);
    }

    /**
     * Creates the pool on a given monotonic clock (tests move it).
     *
     * @param config the pool's configuration
     * @param backend boots the runners; closed when the pool has shut down
     * @param eventSink receives the pool's events in order, on one thread of the pool's own
     * @param nanoClock the monotonic clock of deadlines and idle times, read as {@link System#nanoTime()}
     */
    FlamePoolEngine(FlamePoolConfig config, FlameBackend backend, Consumer<FlamePoolEvent> eventSink,
            LongSupplier nanoClock) {
        this(config, backend, eventSink, PoolTelemetry.NONE, nanoClock);
    }

    FlamePoolEngine(FlamePoolConfig config, FlameBackend backend, Consumer<FlamePoolEvent> eventSink,
            PoolTelemetry telemetry, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.telemetry = telemetry;
        this.config = config;
        this.backend = backend;
        this.eventSink = eventSink;
        this.slotsPerRunner = config.singleUse() ? 1 : config.maxConcurrency();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        this.timers = Executors.newSingleThreadScheduledExecutor(
                ContainerThreads.named(loader, "flame-pool-" + config.name() + "-timer"));
        this.events = Executors.newSingleThreadExecutor(
                ContainerThreads.named(loader, "flame-pool-" + config.name() + "-events"));
        this.boots = Executors.newCachedThreadPool(ContainerThreads.named(loader, "flame-pool-" + config.name()
                + "-boot"));
        this.runnerPrefix = config.name() + "-" + Long.toString(System.nanoTime() & 0xfffff, 36) + "-";
        telemetry.poolStarted(this);
        synchronized (lock) {
            keepMin();
            keepSpares();
        }
    }

    @Override
    public FlamePoolConfig config() {
        return config;
    }

    @Override
    public CompletableFuture<Object> submit(FlameInvocation invocation, Duration timeout, Object key) {
        Duration effective = timeout == null ? config.timeout() : timeout;
        Deadline deadline = Deadline.after(effective, nanoClock);
        Call call = new Call(invocation, deadline, deadline, effective, null, key);
        observe(call);
        enqueue(call);
        return call.result;
    }

    @Override
    public CompletableFuture<PlacedChild> placeChild(FlameInvocation invocation, Object key) {
        Call call = new Call(invocation, Deadline.none(), Deadline.after(config.timeout(), nanoClock),
                config.timeout(), new CompletableFuture<>(), key);
        observe(call);
        enqueue(call);
        call.result.whenComplete((r, e) -> {
            if (e != null) {
                call.placed.completeExceptionally(unwrap(e));
            }
        });
        return call.placed;
    }

    /** Starts observing a call on the caller's thread (where its trace context is) and ends it with the call. */
    private void observe(Call call) {
        call.submitted = nanoClock.getAsLong();
        if (telemetry == PoolTelemetry.NONE) {
            return; // no callback per call when nothing observes it
        }
        call.observation = telemetry.callStarted(config.name(), call.invocation);
        call.result.whenComplete((r, e) -> call.observation.ended(CallOutcome.of(e == null ? null : unwrap(e)),
                Duration.ofNanos(nanoClock.getAsLong() - call.submitted), e == null ? null : unwrap(e)));
    }

    @Override
    public PoolStatus status() {
        Optional<String> backendProblem = backend.problem(); // the backend's own state: not under the pool's lock
        synchronized (lock) {
            long now = nanoClock.getAsLong();
            List<RunnerStatus> list = runners.values().stream().sorted(Comparator.comparingLong(r -> r.seq))
                    .map(r -> new RunnerStatus(r.id, r.retiring ? RunnerStatus.State.RETIRING
                            : r.booted() ? RunnerStatus.State.READY : RunnerStatus.State.BOOTING, r.inFlight,
                            Duration.ofNanos(now - r.bootStarted),
                            r.bootDuration < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(r.bootDuration)),
                            r.bootPhases, r.handle == null ? Optional.empty() : Optional.of(r.handle.market())))
                    .toList();
            return new PoolStatus(config.name(), config.backend(), config.max(), list, inFlight.size(),
                    waiting + parked, consecutiveBootFailures, Optional.ofNullable(lastBootFailure), backendProblem,
                    runnerTime.byMarket(now));
        }
    }

    @Override
    public PoolSnapshot snapshot() {
        synchronized (lock) {
            return new PoolSnapshot(runners.size(), booting, inFlight.size(), waiting + parked);
        }
    }

    // ---- shutdown -------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> shutdown() {
        List<Call> abandoned = new ArrayList<>();
        List<Call> draining;
        synchronized (lock) {
            if (shutdown != null) {
                return shutdown;
            }
            closed = true;
            shutdown = new CompletableFuture<>();
            for (Call c; (c = waiters.poll()) != null; ) {
                c.waiting = false;
                abandoned.add(c);
            }
            for (Runner r : runners.values()) {
                for (Call c; (c = r.keyedWaiters.poll()) != null; ) {
                    c.waiting = false;
                    c.parkedOn = null;
                    abandoned.add(c);
                }
            }
            waiting = 0;
            parked = 0;
            draining = new ArrayList<>(inFlight);
        }
        LOG.info(() -> "pool '" + config.name() + "' shutting down: " + draining.size() + " calls draining, "
                + abandoned.size() + " waiters rejected");
        abandoned.forEach(c -> c.fail(new FlameRejectedException("pool '" + config.name() + "' is shutting down",
                null)));
        CompletableFuture<?>[] drains = draining.stream().map(c -> c.result.handle((r, e) -> null))
                .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(drains)
                .completeOnTimeout(null, config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> stopEverything());
        return shutdown;
    }

    /**
     * Retires every booted runner, waits for the boots under way (each stops its runner as it completes, see
     * {@link #booted}) and then for every stop, and closes the backend.
     */
    private void stopEverything() {
        List<Runner> all;
        CompletableFuture<Void> bootsDone;
        synchronized (lock) {
            all = new ArrayList<>(runners.values());
            bootsDone = CompletableFuture.allOf(bootsUnderWay.toArray(CompletableFuture[]::new));
        }
        all.stream().filter(Runner::booted).forEach(r -> retire(r, StopReason.POOL_SHUTDOWN, "pool shut down", null));
        bootsDone.thenCompose(done -> allStops())
                .completeOnTimeout(null, config.shutdownTimeout().plus(STOP_WAIT_GRACE).toMillis(),
                        TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> closeBackend());
    }

    private CompletableFuture<Void> allStops() {
        synchronized (lock) {
            return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new));
        }
    }

    private void closeBackend() {
        try {
            backend.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing the backend of pool '" + config.name() + "' failed", e);
        }
        telemetry.poolStopped(this);
        // the cost report; runners whose stop never completed count until now
        LOG.info(RunnerTime.report(config.name(), runnerTime.byMarket(nanoClock.getAsLong())));
        events.execute(() -> shutdown.complete(null)); // after every event already published
        events.shutdown();
        timers.shutdown();
        boots.shutdown();
    }

    // ---- checkout -------------------------------------------------------------------------------------------

    private void enqueue(Call call) {
        List<Dispatch> dispatches = new ArrayList<>(1);
        synchronized (lock) {
            if (closed) {
                call.fail(new FlameRejectedException("pool '" + config.name() + "' is shut down", null));
                return;
            }
            Runner owner = call.key == null ? null : router.owner(call.keyHash);
            Runner runner = null;
            if (owner != null) {
                serveParked(owner, dispatches); // drops the owner's given-up waiters, keeping FIFO per owner
                if (hasFreeSlot(owner)) {
                    runner = checkout(owner, call);
                }
            } else if (waiting == 0 && !available.isEmpty()) {
                runner = checkout(available.first(), call);
            }
            if (runner != null) {
                dispatches.add(new Dispatch(runner, call));
            } else {
                // Armed before the call becomes visible to other threads, so a dispatch always finds it.
                call.timer = timers.schedule(() -> call.fail(new FlameTimeoutException(config.name(),
                        call.timeout, "no runner had a free slot in time (" + describeCapacity() + ")")),
                        call.checkoutDeadline.timeLeft().orElseThrow().toNanos(), TimeUnit.NANOSECONDS);
                if (owner != null) {
                    park(call, owner); // waits for its key's owner, even if another runner has a free slot
                } else {
                    waiters.add(call);
                    waiting++;
                    call.waiting = true;
                }
                grow();
            }
            keepSpares();
        }
        // The caller may give up (cancel) while waiting or running.
        call.result.whenComplete((r, e) -> onCallerDone(call));
        send(dispatches);
    }

    /**
     * Sends dispatches outside the lock. A backend may answer synchronously, which releases the slot and
     * dispatches the next waiter from inside this call; a per-thread queue turns that recursion into a loop,
     * so a long queue cannot overflow the stack.
     */
    private void send(List<Dispatch> dispatches) {
        if (dispatches.isEmpty()) {
            return;
        }
        ArrayDeque<Dispatch> queue = sending.get();
        if (queue != null) {
            queue.addAll(dispatches);
            return;
        }
        queue = new ArrayDeque<>(dispatches);
        sending.set(queue);
        try {
            for (Dispatch d; (d = queue.poll()) != null; ) {
                dispatch(d.runner(), d.call());
            }
        } finally {
            sending.remove();
        }
    }

    private String describeCapacity() {
        synchronized (lock) {
            return runners.size() + "/" + config.max() + " runners, " + booting + " booting, "
                    + (retiringRunners > 0 ? retiringRunners + " retiring, " : "") + inFlight.size()
                    + " calls running, " + (waiting + parked) + " waiting";
        }
    }

    /**
     * Takes a slot on a runner that has one: the least-loaded available runner, or a keyed call's owner. A
     * single-use runner leaves the key router with its one call, so no key waits for it. Holds the lock.
     */
    private Runner checkout(Runner runner, Call call) {
        available.remove(runner); // before its load changes: the set is ordered by load
        runner.inFlight++;
        runner.calls.add(call);
        runner.used++;
        runner.cancelIdleTimer();
        if (hasFreeSlot(runner)) {
            available.add(runner);
        } else if (config.singleUse()) {
            router.remove(runner);
        }
        call.runner = runner;
        call.waiting = false;
        call.parkedOn = null;
        inFlight.add(call);
        return runner;
    }

    /** Whether a runner that takes calls has a slot free. Holds the lock. */
    private boolean hasFreeSlot(Runner runner) {
        return runner.inFlight < slotsPerRunner && !(config.singleUse() && runner.used > 0);
    }

    /** Queues a keyed call on its key's owner. Holds the lock. */
    private void park(Call call, Runner owner) {
        owner.keyedWaiters.add(call);
        call.parkedOn = owner;
        call.waiting = true;
        parked++;
    }

    /** The oldest live keyed call waiting for this runner, taken out of the queue. Holds the lock. */
    private Call pollParked(Runner owner) {
        for (Call c; (c = owner.keyedWaiters.poll()) != null; ) {
            if (c.waiting && c.parkedOn == owner && !c.result.isDone()) {
                parked--;
                c.waiting = false;
                c.parkedOn = null;
                return c;
            }
        }
        return null;
    }

    /** Hands this runner's free slots to the keyed calls waiting for it, oldest first. Holds the lock. */
    private void serveParked(Runner owner, List<Dispatch> out) {
        while (KeyRouter.contains(owner) && hasFreeSlot(owner)) {
            Call next = pollParked(owner);
            if (next == null) {
                return;
            }
            out.add(new Dispatch(checkout(owner, next), next));
        }
    }

    /**
     * A runner joined the key router: the keyed calls waiting on other runners whose key it now owns (the only
     * keys that move) wait for it instead, oldest first. Holds the lock.
     */
    private void takeOverKeys(Runner joined) {
        if (parked == 0) {
            return;
        }
        List<Call> moved = new ArrayList<>();
        for (Runner r : runners.values()) {
            if (r == joined) {
                continue;
            }
            r.keyedWaiters.removeIf(c -> {
                if (c.waiting && c.parkedOn == r && router.owner(c.keyHash) == joined) {
                    moved.add(c);
                    return true;
                }
                return false;
            });
        }
        moved.sort(Comparator.comparingLong(c -> c.submitted));
        for (Call c : moved) {
            c.parkedOn = joined;
            joined.keyedWaiters.add(c);
        }
    }

    /**
     * Takes a runner out of the key router and the available runners: it gets no new call. The keyed calls
     * waiting for it go to their keys' new owners, or back to the pool's queue when no runner is ready.
     * Holds the lock.
     */
    private void stopTakingCalls(Runner runner, List<Dispatch> out) {
        available.remove(runner);
        router.remove(runner);
        List<Call> homeless = new ArrayList<>();
        Set<Runner> owners = new LinkedHashSet<>();
        for (Call c; (c = pollParked(runner)) != null; ) {
            Runner owner = router.owner(c.keyHash);
            if (owner == null) {
                homeless.add(c);
            } else {
                park(c, owner);
                owners.add(owner);
            }
        }
        for (int i = homeless.size() - 1; i >= 0; i--) { // backwards: addFirst keeps their order, ahead of newer
            Call c = homeless.get(i);
            waiters.addFirst(c);
            waiting++;
            c.waiting = true;
        }
        owners.forEach(o -> serveParked(o, out));
    }

    /**
     * The waiting calls that neither a free slot nor a booting runner will serve. Negative when booting
     * runners bring more slots than are waited for. Keyed calls waiting for a full owner count too: the
     * pool grows for them as for any waiting call (the runner it adds takes over some keys). Holds the lock.
     */
    private int uncoveredDemand() {
        return waiting + parked - booting * slotsPerRunner;
    }

    /** The runners that count as the pool's capacity: booted or booting, not retiring. Holds the lock. */
    private int active() {
        return runners.size() - retiringRunners;
    }

    /** Boots as many runners as the {@link #uncoveredDemand()} needs, in parallel. Holds the lock. */
    private void grow() {
        int runnersNeeded = (uncoveredDemand() + slotsPerRunner - 1) / slotsPerRunner;
        bootUpTo(active() + runnersNeeded, false);
    }

    /**
     * Boots runners up to {@code min} (at start, and after a runner was lost or began retiring; a {@code min}
     * runner stopped by {@code min-idle-shutdown-after} is not replaced until demand returns). Holds the lock.
     */
    private void keepMin() {
        bootUpTo(config.min(), false);
    }

    /**
     * Boots runners until {@code spare} runners are idle or booting for no waiting caller, within {@code max}.
     * Called where a runner gets busy or leaves; not after a failed boot, so a backend that cannot boot is
     * retried at the next call rather than in a loop. Counts the runners one by one: only pools with spares pay
     * for it. Holds the lock.
     */
    private void keepSpares() {
        if (config.spare() == 0 || closed) {
            return;
        }
        int claimedBoots = Math.max(0, (waiting + parked + slotsPerRunner - 1) / slotsPerRunner);
        int spares = idleSpares() + Math.max(0, booting - claimedBoots);
        if (spares < config.spare()) {
            bootUpTo(active() + config.spare() - spares, true);
        }
    }

    /** Ready runners that take calls and have none (a single-use runner only before its call). Holds the lock. */
    private int idleSpares() {
        int idle = 0;
        for (Runner r : runners.values()) {
            if (r.booted() && !r.retiring && r.inFlight == 0 && !(config.singleUse() && r.used > 0)) {
                idle++;
            }
        }
        return idle;
    }

    /**
     * Boots runners, in parallel, until the pool has {@code wanted} booted or booting (retiring ones not
     * counted), never more than {@code max} counting the runners still stopping. Holds the lock.
     */
    private void bootUpTo(int wanted, boolean spare) {
        int count = Math.min(wanted - active(), config.max() - active() - stopping);
        for (int i = 0; i < count; i++) {
            boot(spare);
        }
    }

    /** Takes a runner out of {@link #runners}; {@code false} when it was gone already. Holds the lock. */
    private boolean removeRunner(Runner runner) {
        if (runners.remove(runner.id) != runner) {
            return false;
        }
        if (runner.retiring) {
            retiringRunners--;
        }
        return true;
    }

    /** Starts one boot. Holds the lock. */
    private void boot(boolean spare) {
        Runner runner = new Runner(runnerPrefix + sequence.incrementAndGet());
        runners.put(runner.id, runner);
        booting++;
        CompletableFuture<Void> underWay = new CompletableFuture<>();
        bootsUnderWay.add(underWay);
        runner.bootStarted = nanoClock.getAsLong();
        int size = runners.size();
        publish(new RunnerBooting(config.name(), runner.id, spare));
        publish(new PoolGrew(config.name(), size));
        LOG.info(() -> "pool '" + config.name() + "': booting " + (spare ? "spare " : "") + "runner " + runner.id
                + " (" + size + "/" + config.max() + ")");
        // The backend must not call back into us synchronously under our lock: hand off to a boot thread.
        boots.execute(() -> {
            CompletableFuture<FlameRunnerHandle> boot;
            try {
                boot = backend.boot(new RunnerBootSpec(runner.id, config), new RunnerListener() {
                    @Override
                    public void lost(String id, FlameRunnerLostException cause) {
                        FlamePoolEngine.this.lost(runner, cause);
                    }

                    @Override
                    public void retiring(String id, String reason) {
                        FlamePoolEngine.this.retiring(runner, reason);
                    }
                });
            } catch (RuntimeException e) {
                boot = CompletableFuture.failedFuture(e);
            }
            boot.whenComplete((handle, error) -> {
                try {
                    booted(runner, handle, error);
                } finally {
                    synchronized (lock) {
                        bootsUnderWay.remove(underWay);
                    }
                    underWay.complete(null);
                }
            });
        });
    }

    private void booted(Runner runner, FlameRunnerHandle handle, Throwable error) {
        List<Dispatch> dispatches = new ArrayList<>();
        List<Call> failed = new ArrayList<>();
        FlameException failure = null;
        boolean stopNow = false;
        boolean retireNow = false;
        long took = nanoClock.getAsLong() - runner.bootStarted;
        synchronized (lock) {
            if (!runner.retiring) {
                booting--; // a runner retiring while it booted was no longer counted
            }
            if (handle != null) {
                runnerTime.started(runner.id, handle.market(), runner.bootStarted);
            }
            if (error != null) {
                removeRunner(runner);
                consecutiveBootFailures++;
                Throwable cause = unwrap(error);
                failure = cause instanceof FlameBootException fbe ? fbe
                        : new FlameBootException(config.name(), runner.id, String.valueOf(cause.getMessage()), cause);
                // Fail the callers this runner was booted for: the waiters not covered by other boots.
                int bootedFor = runner.retiring ? 0 : Math.min(slotsPerRunner, uncoveredDemand()); // before polling
                for (int i = 0; i < bootedFor; i++) {
                    Call c = pollWaiter();
                    if (c == null) {
                        break;
                    }
                    failed.add(c);
                }
                lastBootFailure = failure.getMessage();
                publish(new RunnerStopped(config.name(), runner.id, StopReason.BOOT_FAILED, failure.getMessage()));
                publish(new PoolShrank(config.name(), runners.size(), StopReason.BOOT_FAILED));
            } else if (closed || runner.lost) {
                // taken out without events, as it never became ready
                removeRunner(runner);
                if (!runner.retiring) {
                    stopping++;
                }
                runner.handle = handle;
                stopNow = true;
            } else if (runner.retiring) {
                runner.handle = handle; // notice came while it booted: it never takes a call
                retireNow = true;
            } else {
                runner.handle = handle;
                runner.bootDuration = took;
                runner.bootPhases = phasesOf(handle);
                consecutiveBootFailures = 0;
                lastBootFailure = null;
                Duration bootTime = Duration.ofNanos(took);
                BootPhases phases = runner.bootPhases;
                publish(new RunnerReady(config.name(), runner.id, bootTime, phases));
                LOG.info(() -> "pool '" + config.name() + "': runner " + runner.id + " ready in "
                        + bootTime.toMillis() + " ms" + (phases.phases().isEmpty() ? "" : " (" + phases.describe() + ")"));
                router.add(runner);
                takeOverKeys(runner);
                available.add(runner);
                serveParked(runner, dispatches);
                serveWaiters(dispatches);
                if (runner.inFlight == 0) {
                    scheduleIdle(runner);
                }
                keepSpares();
            }
        }
        telemetry.bootEnded(config.name(), runner.id, Duration.ofNanos(took), error != null);
        if (error == null) {
            telemetry.bootPhases(config.name(), runner.bootPhases);
        }
        if (failure != null) {
            telemetry.runnerStopped(config.name(), StopReason.BOOT_FAILED);
            FlameException f = failure;
            LOG.warning(() -> "pool '" + config.name() + "': " + f.getMessage() + "; failing " + failed.size()
                    + " waiting calls");
            failed.forEach(c -> c.fail(f));
        }
        if (stopNow) {
            stopHandle(runner, StopReason.POOL_SHUTDOWN, "booted after the pool shut down");
        }
        if (retireNow) {
            retire(runner, StopReason.INTERRUPTED, runner.retiringReason + " (before it took a call)", null);
        }
        send(dispatches);
    }

    /** A backend's phases must never fail a boot that succeeded. */
    private static BootPhases phasesOf(FlameRunnerHandle handle) {
        try {
            return java.util.Objects.requireNonNullElse(handle.bootPhases(), BootPhases.none());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "boot phases of runner " + handle.id() + " unavailable", e);
            return BootPhases.none();
        }
    }


    /**
     * Hands free slots to the pool's waiters, oldest first. A keyed waiter (queued while no runner was ready)
     * goes to its key's owner now, or waits for it. Holds the lock.
     */
    private void serveWaiters(List<Dispatch> out) {
        while (!available.isEmpty()) {
            Call next = pollWaiter();
            if (next == null) {
                return;
            }
            Runner owner = next.key == null ? available.first() : router.owner(next.keyHash);
            if (hasFreeSlot(owner)) {
                out.add(new Dispatch(checkout(owner, next), next));
            } else {
                park(next, owner);
            }
        }
    }

    private Call pollWaiter() {
        for (Call c; (c = waiters.poll()) != null; ) {
            if (c.waiting && !c.result.isDone()) {
                waiting--;
                c.waiting = false;
                return c;
            }
        }
        return null;
    }

    // ---- the call --------------------------------------------------------------------------------------------

    private void dispatch(Runner runner, Call call) {
        call.cancelTimer();
        if (call.result.isDone()) {
            release(call);
            return;
        }
        CompletableFuture<Object> remote;
        try {
            String traceparent = call.observation.dispatched(runner.id,
                    Duration.ofNanos(nanoClock.getAsLong() - call.submitted));
            remote = runner.handle.invoke(new FlameCall(runner.id + "-" + sequence.incrementAndGet(),
                    call.invocation, call.deadline, traceparent));
        } catch (RuntimeException e) {
            remote = CompletableFuture.failedFuture(e);
        }
        call.remote = remote;
        if (call.placed != null) {
            call.placed.complete(new PlacedChild(runner.id, call.result));
        } else {
            call.timer = timers.schedule(() -> call.fail(new FlameTimeoutException(config.name(), call.timeout,
                    "runner " + runner.id + " did not answer by the deadline")),
                    call.deadline.plus(IN_FLIGHT_GRACE).timeLeft().orElseThrow().toNanos(), TimeUnit.NANOSECONDS);
        }
        remote.whenComplete((value, error) -> {
            if (error == null) {
                call.result.complete(value);
            } else {
                Throwable cause = unwrap(error);
                if (cause instanceof FlameRunnerLostException lostException) {
                    lost(runner, lostException);
                }
                call.fail(cause instanceof CancellationException ? cause
                        : cause instanceof FlameException ? cause
                        : new FlameException("call " + call.invocation.describe() + " on runner " + runner.id
                                + " failed: " + cause, cause));
            }
        });
        if (call.result.isDone()) {
            // cancelled between checkout and invoke
            remote.cancel(true);
        }
    }

    private void onCallerDone(Call call) {
        call.cancelTimer();
        // The caller has its answer; if the runner is still working (the caller cancelled, or the pool gave
        // up at the deadline, or the runner was declared lost), interrupt the remote work.
        CompletableFuture<Object> remote = call.remote;
        if (remote != null && !remote.isDone()) {
            remote.cancel(true);
        }
        release(call);
    }

    /** Frees the call's slot (once) and hands it on. */
    private void release(Call call) {
        List<Dispatch> dispatches = new ArrayList<>();
        Runner spent = null;
        Runner drained = null;
        synchronized (lock) {
            if (call.released) {
                return;
            }
            call.released = true;
            if (call.waiting) {
                // gave up (timeout, cancel) while waiting; removed lazily from its deque
                call.waiting = false;
                if (call.parkedOn != null) {
                    call.parkedOn = null;
                    parked--;
                } else {
                    waiting--;
                }
                return;
            }
            Runner runner = call.runner;
            if (runner == null) {
                return;
            }
            inFlight.remove(call);
            if (runner.calls.remove(call) && runners.get(runner.id) == runner) {
                available.remove(runner);
                runner.inFlight--;
                if (runner.retiring) {
                    if (runner.inFlight == 0) {
                        drained = runner;
                    }
                } else if (config.singleUse()) {
                    if (runner.inFlight == 0) {
                        spent = runner;
                    }
                } else {
                    available.add(runner);
                    serveParked(runner, dispatches);
                    serveWaiters(dispatches);
                    if (runner.inFlight == 0) {
                        scheduleIdle(runner);
                    }
                    keepSpares();
                }
            }
        }
        if (drained != null) {
            retire(drained, StopReason.INTERRUPTED, drained.retiringReason + " (its calls have ended)", null);
        }
        if (spent != null) {
            retire(spent, StopReason.SINGLE_USE, "single-use runner served its call", null);
            synchronized (lock) {
                if (!closed) {
                    grow();
                    keepSpares();
                }
            }
        }
        send(dispatches);
    }

    // ---- runner end of life ---------------------------------------------------------------------------------

    private void lost(Runner runner, FlameRunnerLostException cause) {
        synchronized (lock) {
            if (runner.lost) {
                return;
            }
            runner.lost = true;
            if (!runner.booted()) {
                return; // still booting: booted() stops it
            }
        }
        // a retiring runner's end was announced: it stops INTERRUPTED even with calls left, which fail with the loss
        StopReason reason = runner.retiring ? StopReason.INTERRUPTED : StopReason.LOST;
        if (retire(runner, reason, cause.getMessage(), cause)) {
            synchronized (lock) {
                if (!closed) {
                    grow();
                    keepMin();
                    keepSpares();
                }
            }
        }
    }

    /**
     * The backend gave notice that a runner will be taken away (a spot interruption): it gets no new call and
     * no longer counts as capacity, so a replacement boots at once when waiting callers, {@code min} or spares
     * need one; its keys go to other runners (and to its replacement, which takes its routing seed). Its calls
     * in flight run on: it stops ({@link StopReason#INTERRUPTED}) when the last one ends, or is lost first.
     */
    private void retiring(Runner runner, String reason) {
        List<Dispatch> dispatches = new ArrayList<>();
        boolean idleNow;
        int draining;
        synchronized (lock) {
            if (runner.retiring || runner.lost || runners.get(runner.id) != runner) {
                return;
            }
            runner.retiring = true;
            runner.retiringReason = reason == null || reason.isBlank() ? "retiring" : reason;
            retiringRunners++;
            runner.cancelIdleTimer();
            if (!runner.booted()) {
                booting--; // booted() stops it as soon as its boot completes
            }
            stopTakingCalls(runner, dispatches);
            idleNow = runner.booted() && runner.inFlight == 0;
            draining = runner.inFlight;
            if (!closed) {
                grow();
                keepMin();
                keepSpares();
                if (draining > 0 && available.isEmpty() && booting == 0) {
                    // it was in use and no other runner has or brings a free slot: its successor boots during the
                    // notice, not when the next call finds no runner (an unneeded one idles out as any runner does)
                    bootUpTo(active() + 1, false);
                }
            }
        }
        LOG.info(() -> "pool '" + config.name() + "': runner " + runner.id + " is retiring (" + runner.retiringReason
                + "): it takes no new calls; " + draining + " calls in flight finish on it");
        publish(new RunnerRetiring(config.name(), runner.id, runner.retiringReason, draining));
        if (idleNow) {
            retire(runner, StopReason.INTERRUPTED, runner.retiringReason, null);
        }
        send(dispatches);
    }

    private void scheduleIdle(Runner runner) {
        runner.cancelIdleTimer();
        runner.idleSince = nanoClock.getAsLong();
        runner.idleTimer = timers.schedule(() -> idle(runner), config.idleShutdownAfter().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void idle(Runner runner) {
        String why;
        synchronized (lock) {
            if (runner.inFlight > 0 || runners.get(runner.id) != runner || closed || runner.retiring) {
                return;
            }
            if (config.spare() > 0 && idleSpares() <= config.spare()) {
                return; // one of the spares: idle is its job; its idle timer starts again after its next call
            }
            Duration idleFor = Duration.ofNanos(nanoClock.getAsLong() - runner.idleSince);
            if (active() <= config.min()) {
                if (config.minIdleShutdownAfter().isEmpty()) {
                    return;
                }
                Duration limit = config.minIdleShutdownAfter().get();
                if (idleFor.compareTo(limit) < 0) {
                    runner.idleTimer = timers.schedule(() -> idle(runner), limit.minus(idleFor).toMillis(),
                            TimeUnit.MILLISECONDS);
                    return;
                }
            }
            why = "idle for " + idleFor.toMillis() + " ms";
        }
        retire(runner, StopReason.IDLE, why, null);
    }

    /**
     * Takes a runner out of the pool, publishes that it stopped, fails the calls still on it when it was
     * lost, and stops it. The one way a ready runner leaves: idle, single use, lost, interrupted (retired after
     * notice), pool shut down.
     *
     * @param runner the runner
     * @param reason why, for the events and the backend
     * @param detail what happened, for the events and logs
     * @param lostWith the failure of the calls on a lost runner; {@code null} when it is stopped by the pool
     * @return {@code false} when it had already left the pool
     */
    private boolean retire(Runner runner, StopReason reason, String detail, FlameRunnerLostException lostWith) {
        List<Call> onIt;
        List<Dispatch> dispatches = new ArrayList<>();
        synchronized (lock) {
            if (!removeRunner(runner)) {
                return false;
            }
            if (!runner.retiring) {
                stopping++;
            }
            stopTakingCalls(runner, dispatches);
            runner.cancelIdleTimer();
            onIt = lostWith == null ? List.of() : new ArrayList<>(runner.calls);
            publish(new RunnerStopped(config.name(), runner.id, reason, detail));
            publish(new PoolShrank(config.name(), runners.size(), reason));
        }
        telemetry.runnerStopped(config.name(), reason);
        if (lostWith == null) {
            LOG.info(() -> "pool '" + config.name() + "': stopping runner " + runner.id + ": " + detail);
        } else {
            LOG.warning(() -> "pool '" + config.name() + "': " + detail + "; failing " + onIt.size()
                    + " calls on it");
            onIt.forEach(c -> c.fail(lostWith));
        }
        stopHandle(runner, reason, detail);
        send(dispatches);
        return true;
    }

    /** Stops a runner already taken out of the pool and counted in {@link #stopping}. */
    private void stopHandle(Runner runner, StopReason reason, String detail) {
        CompletableFuture<Void> done;
        try {
            done = runner.handle.stop(reason, config.shutdownTimeout());
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> logged = done.handle((r, e) -> {
            runnerTime.stopped(runner.id, nanoClock.getAsLong());
            synchronized (lock) {
                if (!runner.retiring) {
                    stopping--;
                }
                if (!closed) {
                    grow(); // capacity this runner held may now be booted again for waiting callers
                    if (reason == StopReason.LOST) {
                        keepMin();
                    }
                    keepSpares();
                }
            }
            if (e != null) {
                LOG.log(Level.WARNING, "pool '" + config.name() + "': stopping runner " + runner.id + " ("
                        + detail + ") failed", e);
            }
            return null;
        });
        synchronized (lock) {
            stops.removeIf(CompletableFuture::isDone);
            stops.add(logged);
        }
    }

    // ---- plumbing --------------------------------------------------------------------------------------------

    private void publish(FlamePoolEvent event) {
        try {
            events.execute(() -> {
                try {
                    eventSink.accept(event);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "an observer of " + event + " failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.fine(() -> "event after shutdown dropped: " + event);
        }
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** A slot handed to a waiter, to send once the lock is released. */
    private record Dispatch(Runner runner, Call call) {
    }
}
