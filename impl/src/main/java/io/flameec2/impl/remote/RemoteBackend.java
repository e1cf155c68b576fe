package io.flameec2.impl.remote;

import io.flameec2.FlameBootException;
import io.flameec2.FlamePoolConfig;
import io.flameec2.event.StopReason;
import io.flameec2.impl.remote.RunnerLauncher.LaunchedRunner;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireSecret;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerBootSpec;
import io.flameec2.spi.RunnerListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The common part of every remote backend (local Liberty processes, EC2): a backend only supplies a
 * {@link RunnerLauncher}; this class does the rest. Per runner: a fresh secret ({@link WireSecret}), the
 * {@link RunnerEnv} environment, the launch, the wait for the runner's registration at the parent's callback
 * endpoint ({@link ParentEndpoint}) within {@code boot-timeout} (else the launched runner is terminated and
 * the boot fails with a {@link FlameBootException} quoting {@link LaunchedRunner#diagnostics()}), then a
 * handle that sends signed calls and heartbeats.
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
    private final ParentEndpoint endpoint;
    private final WireCodec codec;
    private final ClassLoader loader;
    private final RunnerHttp http;
    private final ExecutorService launches;
    private final ScheduledExecutorService timers;

    /**
     * Creates the backend of one pool and starts (or joins) the parent's callback endpoint.
     *
     * @param context the pool and its settings
     * @param launcher starts, observes and kills runners; owned by this backend from now on
     * @param settings the global remote settings ({@link RemoteSettings#fromConfig()})
     * @throws UncheckedIOException when the callback endpoint cannot be bound (the message names the keys)
     */
    public RemoteBackend(BackendContext context, RunnerLauncher launcher, RemoteSettings settings) {
        this.context = context;
        this.pool = context.pool();
        this.launcher = launcher;
        this.settings = settings;
        this.codec = new WireCodec(settings.filter());
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        this.loader = tccl != null ? tccl : RemoteBackend.class.getClassLoader();
        try {
            this.endpoint = ParentEndpoint.acquire(settings);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        this.http = new RunnerHttp(pool.name());
        AtomicInteger n = new AtomicInteger();
        this.launches = Executors.newCachedThreadPool(r -> daemon(r, "flame-" + pool.name() + "-launch-" + n.incrementAndGet()));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "flame-" + pool.name() + "-timers"));
    }

    /**
     * The parent's callback URL runners register at.
     *
     * @return the URL
     */
    public URI parentUrl() {
        return endpoint.url();
    }

    @Override
    public CompletableFuture<FlameRunnerHandle> boot(RunnerBootSpec spec, RunnerListener listener) {
        CompletableFuture<FlameRunnerHandle> result = new CompletableFuture<>();
        String runnerId = spec.runnerId();
        FlamePoolConfig config = spec.config();
        long started = System.nanoTime();
        String secret = WireSecret.generate();
        CompletableFuture<ParentEndpoint.Registration> registration;
        try {
            registration = endpoint.expect(runnerId, secret, settings.appVersion());
        } catch (IllegalStateException e) {
            result.completeExceptionally(new FlameBootException(pool.name(), runnerId, e.getMessage(), e));
            return result;
        }
        Map<String, String> env = env(runnerId, secret, config);
        // the pool gave up on this boot: stop waiting, and terminate whatever was launched
        result.whenComplete((h, e) -> {
            if (result.isCancelled()) {
                registration.cancel(false);
            }
        });
        try {
            launches.execute(() -> launch(runnerId, env, registration, listener, secret, config, started, result));
        } catch (RejectedExecutionException e) {
            endpoint.forget(runnerId);
            result.completeExceptionally(new FlameBootException(pool.name(), runnerId, "the backend is closed", e));
        }
        return result;
    }

    /** On a launch thread: launchers may block (process spawn, RunInstances). */
    private void launch(String runnerId, Map<String, String> env,
            CompletableFuture<ParentEndpoint.Registration> registration, RunnerListener listener, String secret,
            FlamePoolConfig config, long started, CompletableFuture<FlameRunnerHandle> result) {
        LaunchedRunner launched;
        try {
            launched = launcher.launch(runnerId, env);
        } catch (Exception | LinkageError e) {
            endpoint.forget(runnerId);
            result.completeExceptionally(new FlameBootException(pool.name(), runnerId, "launch failed: " + e, e));
            return;
        }
        LOG.info(() -> "flame runner " + runnerId + " of pool '" + pool.name() + "' launched (" + launched.describe()
                + "), waiting up to " + config.bootTimeout().toMillis() + " ms for it to register at "
                + endpoint.url());
        awaitRegistration(runnerId, launched, registration, listener, secret, config, started, result);
    }

    private void awaitRegistration(String runnerId, LaunchedRunner launched,
            CompletableFuture<ParentEndpoint.Registration> registration, RunnerListener listener, String secret,
            FlamePoolConfig config, long started, CompletableFuture<FlameRunnerHandle> result) {
        long remaining = config.bootTimeout().toNanos() - (System.nanoTime() - started);
        // a runner whose process or instance died cannot register: fail now, not at the boot timeout
        ScheduledFuture<?> alive = timers.scheduleWithFixedDelay(() -> {
            if (!launched.isAlive()) {
                registration.completeExceptionally(new IllegalStateException(launched.describe()
                        + " exited before registering"));
            }
        }, ALIVE_POLL.toMillis(), ALIVE_POLL.toMillis(), TimeUnit.MILLISECONDS);
        registration.orTimeout(Math.max(1, remaining), TimeUnit.NANOSECONDS).whenComplete((reg, error) -> {
            alive.cancel(false);
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                endpoint.forget(runnerId);
                launched.terminate();
                String why;
                if (cause instanceof TimeoutException) {
                    why = "it did not register within boot-timeout " + config.bootTimeout().toMillis() + " ms ("
                            + FlamePoolConfig.key(pool.name(), FlamePoolConfig.BOOT_TIMEOUT) + ")";
                } else if (cause instanceof CancellationException) {
                    why = "the boot was abandoned";
                } else {
                    why = cause.getMessage();
                }
                String message = why + "; launched " + launched.describe() + ", parent endpoint " + endpoint.url()
                        + diagnostics(launched);
                LOG.warning(() -> "flame runner " + runnerId + " of pool '" + pool.name() + "' failed to boot: " + message);
                result.completeExceptionally(new FlameBootException(pool.name(), runnerId, message, cause));
                return;
            }
            RemoteRunnerHandle handle = new RemoteRunnerHandle(runnerId, pool.name(), reg.url(), secret, codec, loader,
                    http, launched, listener, timers, settings);
            handle.startHeartbeats();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            LOG.info(() -> "flame runner " + runnerId + " of pool '" + pool.name() + "' registered from " + reg.url()
                    + " in " + ms + " ms (" + launched.describe() + ")");
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
     * @param secret its fresh secret
     * @param config the pool's configuration
     * @return the {@link RunnerEnv} variables
     */
    Map<String, String> env(String runnerId, String secret, FlamePoolConfig config) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(RunnerEnv.RUNNER, "true");
        env.put(RunnerEnv.RUNNER_ID, runnerId);
        env.put(RunnerEnv.POOL, pool.name());
        env.put(RunnerEnv.PARENT_ID, context.parentId());
        env.put(RunnerEnv.PARENT_URL, endpoint.url().toString());
        env.put(RunnerEnv.SECRET, secret);
        env.put(RunnerEnv.APP_VERSION, settings.appVersion());
        env.put(RunnerEnv.BOOT_TIMEOUT_MS, Long.toString(config.bootTimeout().toMillis()));
        env.put(RunnerEnv.PARENT_LOSS_TIMEOUT_MS, Long.toString(settings.parentLossTimeout().toMillis()));
        env.put(RunnerEnv.SHUTDOWN_TIMEOUT_MS, Long.toString(config.shutdownTimeout().toMillis()));
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
    public void close() {
        launches.shutdownNow();
        timers.shutdownNow();
        http.close();
        endpoint.release();
        launcher.close();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
