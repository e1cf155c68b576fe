package io.flameec2.impl.remote;

import io.flameec2.FlameBootException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.event.BootPhases;
import io.flameec2.event.StopReason;
import io.flameec2.impl.exec.ContainerThreads;
import io.flameec2.impl.remote.RunnerLauncher.LaunchedRunner;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.telemetry.OpenTelemetryUse;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerBootSpec;
import io.flameec2.spi.RunnerListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The common part of every remote backend (local Liberty processes, EC2): a backend only supplies a
 * {@link RunnerLauncher}; this class does the rest. Per runner: a fresh one-time join token, the
 * {@link RunnerEnv} environment (the parent channel's address and certificate fingerprint among it), the
 * launch, the wait for the runner to connect to the parent's {@link ChannelServer} and join, from where it
 * was launched ({@link LaunchedRunner#joinOrigin()}), within {@code boot-timeout} (else the launched runner
 * is terminated and the boot fails with a {@link FlameBootException} quoting
 * {@link LaunchedRunner#diagnostics()}), then a handle that drives the runner over its connection.
 *
 * <p>Usage from a {@link io.flameec2.spi.FlameBackendFactory}:
 * <pre>{@code
 * public FlameBackend create(BackendContext context) {
 *     return new RemoteBackend(context, new MyLauncher(...), RemoteSettings.fromConfig());
 * }
 * }</pre>
 * The backend owns the launcher: {@link #close()} closes it. Class loading of results uses the thread
 * context class loader at construction (the application's).
 */
public final class RemoteBackend implements FlameBackend {

    private static final Logger LOG = Logger.getLogger(RemoteBackend.class.getName());
    /** How much of the launcher's diagnostics a boot error quotes. */
    static final int DIAGNOSTICS_TAIL = 4000;
    private static final Duration ALIVE_POLL = Duration.ofMillis(250);

    private final BackendContext context;
    private final FlamePoolConfig pool;
    private final RunnerLauncher launcher;
    private final RemoteSettings settings;
    private final ChannelServer server;
    private final WireCodec codec;
    private final WireCodec replies;
    /**
     * The application's classes use the OpenTelemetry API (and its server has MicroProfile Telemetry): its runners,
     * copies of it, then need the API too, telemetry on or off ({@link RunnerEnv#TELEMETRY_API}). Found by reading
     * the WAR's classes once, off the caller's thread.
     */
    private final CompletableFuture<Boolean> appUsesOpenTelemetry;
    private final ClassLoader loader;
    private final ExecutorService launches;
    private volatile boolean closed;
    private final ScheduledExecutorService timers;

    /**
     * Creates the backend of one pool and starts (or shares) the parent's channel listener.
     *
     * @param context the pool and its settings
     * @param launcher starts, observes and kills runners; owned by this backend from now on
     * @param settings the global remote settings ({@link RemoteSettings#fromConfig()})
     * @throws UncheckedIOException when the channel cannot be bound (the message names the keys)
     */
    public RemoteBackend(BackendContext context, RunnerLauncher launcher, RemoteSettings settings) {
        this.context = context;
        this.pool = context.pool();
        this.launcher = launcher;
        this.settings = settings;
        // replies are read with their own, narrower filter: a compromised runner must not burn parent threads
        this.codec = new WireCodec(settings.filter());
        this.replies = new WireCodec(settings.replyFilter());
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        this.loader = tccl != null ? tccl : RemoteBackend.class.getClassLoader();
        ThreadFactory threads = ContainerThreads.factory(loader);
        try {
            this.server = ChannelServer.acquire(settings, threads);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        this.launches = Executors.newCachedThreadPool(ContainerThreads.named(loader, "flame-" + pool.name() + "-launch"));
        this.timers = Executors.newSingleThreadScheduledExecutor(
                ContainerThreads.named(loader, "flame-" + pool.name() + "-timers"));
        this.appUsesOpenTelemetry = CompletableFuture.supplyAsync(() -> OpenTelemetryUse.byApplicationOf(loader),
                launches);
        launches.execute(this::prepareLaunches);
    }

    /** The launcher's {@link RunnerLauncher#prepare}, while no call is waiting for it. */
    private void prepareLaunches() {
        long start = System.nanoTime();
        try {
            launcher.prepare();
            LOG.fine(() -> "flame pool '" + pool.name() + "': launches prepared in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (Exception e) {
            LOG.info(() -> "flame pool '" + pool.name() + "': preparing its launches ahead of the first failed"
                    + " (the first launch tries again, and reports what still fails): " + e);
        }
    }

    /**
     * Where runners connect: the parent channel's {@code host:port}.
     *
     * @return the address
     */
    public String parentAddress() {
        return server.advertisedAddress(settings.parentUrl());
    }

    @Override
    public CompletableFuture<FlameRunnerHandle> boot(RunnerBootSpec spec, RunnerListener listener) {
        CompletableFuture<FlameRunnerHandle> result = new CompletableFuture<>();
        String runnerId = spec.runnerId();
        FlamePoolConfig config = spec.config();
        long started = System.nanoTime();
        String token = PendingJoin.newToken();
        PendingJoin join;
        try {
            join = server.expect(runnerId, token, started + config.bootTimeout().toNanos(), settings.appVersion());
        } catch (IllegalStateException e) {
            result.completeExceptionally(new FlameBootException(pool.name(), runnerId, e.getMessage(), e));
            return result;
        }
        // the pool gave up on this boot: stop waiting, and terminate whatever was launched
        result.whenComplete((h, e) -> {
            if (result.isCancelled()) {
                join.joined.cancel(false);
            }
        });
        try {
            launches.execute(() -> launch(runnerId, env(runnerId, token, config), join, listener, config, started,
                    result));
        } catch (RejectedExecutionException e) {
            server.forget(runnerId);
            result.completeExceptionally(new FlameBootException(pool.name(), runnerId, "the backend is closed", e));
        }
        return result;
    }

    /** On a launch thread: launchers may block (process spawn, RunInstances). */
    private void launch(String runnerId, Map<String, String> env, PendingJoin join, RunnerListener listener,
            FlamePoolConfig config, long started, CompletableFuture<FlameRunnerHandle> result) {
        LaunchedRunner launched;
        long launchedNanos;
        try {
            launched = launcher.launch(runnerId, env);
            launchedNanos = System.nanoTime();
        } catch (RunnerLauncher.LaunchFailedException e) {
            server.forget(runnerId);
            result.completeExceptionally(new FlameBootException(pool.name(), runnerId, "launch failed: "
                    + e.getMessage(), e, e.retryable(), e.errorCode()));
            return;
        } catch (Exception | LinkageError e) {
            server.forget(runnerId);
            result.completeExceptionally(new FlameBootException(pool.name(), runnerId, "launch failed: " + e, e));
            return;
        }
        join.launched(launched.joinOrigin(), connection -> new RemoteRunnerHandle(runnerId, pool.name(), connection,
                codec, replies, loader, launches, launched, listener, timers, settings, () -> closed));
        LOG.info(() -> "flame runner " + runnerId + " of pool '" + pool.name() + "' launched (" + launched.describe()
                + "), waiting up to " + config.bootTimeout().toMillis() + " ms for it to join at "
                + server.advertisedAddress(settings.parentUrl()) + " from " + launched.joinOrigin().description());
        awaitJoin(runnerId, launched, join, config, started, launchedNanos, result);
    }

    private void awaitJoin(String runnerId, LaunchedRunner launched, PendingJoin join, FlamePoolConfig config,
            long started, long launchedNanos, CompletableFuture<FlameRunnerHandle> result) {
        long remaining = config.bootTimeout().toNanos() - (System.nanoTime() - started);
        // a runner whose process or instance died cannot join: fail now, not at the boot timeout
        ScheduledFuture<?> alive = timers.scheduleWithFixedDelay(() -> {
            if (!launched.isAlive()) {
                join.joined.completeExceptionally(new IllegalStateException(launched.describe()
                        + " exited before joining"));
            }
        }, ALIVE_POLL.toMillis(), ALIVE_POLL.toMillis(), TimeUnit.MILLISECONDS);
        join.joined.orTimeout(Math.max(1, remaining), TimeUnit.NANOSECONDS).whenComplete((joined, error) -> {
            alive.cancel(false);
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                server.forget(runnerId);
                launched.terminate();
                String why;
                if (cause instanceof TimeoutException) {
                    why = "it did not join within boot-timeout " + config.bootTimeout().toMillis() + " ms ("
                            + FlamePoolConfig.key(pool.name(), FlamePoolConfig.BOOT_TIMEOUT) + ")";
                } else if (cause instanceof CancellationException) {
                    why = "the boot was abandoned";
                } else {
                    why = cause.getMessage();
                }
                String message = why + "; launched " + launched.describe() + ", parent channel "
                        + server.advertisedAddress(settings.parentUrl()) + diagnostics(launched);
                LOG.warning(() -> "flame runner " + runnerId + " of pool '" + pool.name() + "' failed to boot: " + message);
                result.completeExceptionally(new FlameBootException(pool.name(), runnerId, message, cause));
                return;
            }
            RemoteRunnerHandle handle = (RemoteRunnerHandle) joined;
            BootPhases phases = BootTimeline.phases(started, launchedNanos, join.joinedNanos, join.bootMarks);
            handle.booted(phases);
            handle.startHeartbeats();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            LOG.info(() -> "flame runner " + runnerId + " of pool '" + pool.name() + "' joined in " + ms + " ms ("
                    + launched.describe() + "; " + phases.describe() + ")");
            if (!result.complete(handle)) {
                handle.stop(StopReason.POOL_SHUTDOWN, Duration.ZERO);
            }
        });
    }

    private static String diagnostics(LaunchedRunner launched) {
        String d;
        try {
            d = Optional.ofNullable(launched.diagnostics()).orElse("");
        } catch (RuntimeException e) {
            d = "(diagnostics unavailable: " + e + ")";
        }
        if (d.isBlank()) {
            return "";
        }
        String tail = d.length() > DIAGNOSTICS_TAIL ? "..." + d.substring(d.length() - DIAGNOSTICS_TAIL) : d;
        return "; last output of the runner:\n" + tail;
    }

    /**
     * The environment of a new runner.
     *
     * @param runnerId the runner
     * @param token its one-time join token
     * @param config the pool's configuration
     * @return the {@link RunnerEnv} variables
     */
    Map<String, String> env(String runnerId, String token, FlamePoolConfig config) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(RunnerEnv.RUNNER, "true");
        env.put(RunnerEnv.RUNNER_ID, runnerId);
        env.put(RunnerEnv.POOL, pool.name());
        env.put(RunnerEnv.PARENT_ID, context.parentId());
        env.put(RunnerEnv.PARENT_ADDRESS, server.advertisedAddress(settings.parentUrl()));
        env.put(RunnerEnv.PARENT_FINGERPRINT, server.fingerprint());
        env.put(RunnerEnv.JOIN_TOKEN, token);
        env.put(RunnerEnv.APP_VERSION, settings.appVersion());
        env.put(RunnerEnv.BOOT_TIMEOUT_MS, Long.toString(config.bootTimeout().toMillis()));
        env.put(RunnerEnv.PARENT_LOSS_TIMEOUT_MS, Long.toString(settings.parentLossTimeout().toMillis()));
        env.put(RunnerEnv.SHUTDOWN_TIMEOUT_MS, Long.toString(config.shutdownTimeout().toMillis()));
        if (appUsesOpenTelemetry.join()) {
            env.put(RunnerEnv.TELEMETRY_API, "on");
        }
        // failsafe only: the pool stops idle runners itself; a runner that may be kept as a min runner
        // forever gets no idle limit (min-idle-shutdown-after infinity)
        if (config.min() == 0 || config.minIdleShutdownAfter().isPresent()) {
            Duration idle = config.minIdleShutdownAfter().filter(d -> config.min() > 0)
                    .map(d -> d.compareTo(config.idleShutdownAfter()) > 0 ? d : config.idleShutdownAfter())
                    .orElse(config.idleShutdownAfter());
            env.put(RunnerEnv.IDLE_SHUTDOWN_MS, Long.toString(idle.multipliedBy(2).plus(config.shutdownTimeout()).toMillis()));
        }
        return env;
    }

    @Override
    public Optional<String> problem() {
        return launcher.problem();
    }

    @Override
    public void close() {
        // runners still connected are abandoned, not terminated: their connections end with the listener, and
        // each stops on its own once its parent is silent for the parent-loss timeout (as if the parent died)
        closed = true;
        launches.shutdownNow();
        timers.shutdownNow();
        server.release();
        launcher.close();
    }
}
