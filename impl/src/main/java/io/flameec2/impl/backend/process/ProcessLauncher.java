package io.flameec2.impl.backend.process;

import io.flameec2.impl.bundle.LibertyInstallation;
import io.flameec2.impl.bundle.RunnerTraining;
import io.flameec2.impl.bundle.WarmStart;
import io.flameec2.impl.remote.JoinOrigin;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.RunnerLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * Starts runners as local Open Liberty server processes. Their server comes from a {@link RunnerServerSource}
 * (the configured bundle, unpacked once; or the parent's own application and Liberty installation), made ready
 * in this user's private work directory ({@link ProcessWorkDir}, checked before every launch); every runner
 * then runs that same server with its own {@code WLP_OUTPUT_DIR} (logs, workarea). {@code bin/server run}
 * keeps the server in the foreground, so the runner is a real child process that can be killed. A runner's
 * environment is {@link RunnerEnvironment}'s: an allow-list of the parent's, the pool's {@code env} and the
 * backend's variables, never the parent's whole environment.
 *
 * <p>The runner server is made ready when the pool is created ({@link #prepare}), and its training
 * ({@link RunnerTraining}) starts then, in the background, at the lowest CPU priority: runners launched once it is
 * done start with its warm workarea and, on Java 25+, its AOT cache (README "Benchmarks": what each saves), and a
 * first call made a little after the parent started boots its runner trained. Runners launched before it is
 * done start with the training of another build run by the same Liberty, when there is one ({@link WarmStart}).
 */
final class ProcessLauncher implements RunnerLauncher {

    private static final Logger LOG = Logger.getLogger(ProcessLauncher.class.getName());
    private static final int TAIL_CHARS = 4000;
    /** A training run is one boot and a clean stop: minutes only on a machine that is far too busy. */
    private static final java.time.Duration TRAINING_TIMEOUT = java.time.Duration.ofMinutes(5);

    private final String pool;
    private final RunnerServerSource source;
    private final Path javaHome;
    private final Path workDir;
    private final String workDirKey;
    private final Map<String, String> poolEnv;
    private final Map<String, String> parentEnv;
    private final Set<Process> live = ConcurrentHashMap.newKeySet();
    private final Thread killOnExit;
    private final ExecutorService training;
    /** Runner servers whose training this JVM started: pools sharing a server share its one training. */
    private static final Set<Path> TRAINING_STARTED = ConcurrentHashMap.newKeySet();
    private volatile String lastWarmState;
    private final boolean train;

    /**
     * @param pool the pool, for logs
     * @param source where the runner server comes from
     * @param javaHome the Java runners use
     * @param workDir this user's private directory for runner servers and runner output
     * @param workDirKey the config key of {@code workDir}, named when it is not private
     * @param poolEnv the pool's configured {@code env}
     * @param parentEnv the parent's environment, of which runners get the allow-listed variables only
     * @param train whether to train the runner server ({@link RunnerTraining}); runners of a server trained
     *     before still use what it made
     */
    ProcessLauncher(String pool, RunnerServerSource source, Path javaHome, Path workDir, String workDirKey,
            Map<String, String> poolEnv, Map<String, String> parentEnv, boolean train) {
        this.train = train;
        this.pool = pool;
        this.source = source;
        this.javaHome = javaHome;
        this.workDir = workDir;
        this.workDirKey = workDirKey;
        this.poolEnv = Map.copyOf(poolEnv);
        this.parentEnv = Map.copyOf(parentEnv);
        // Runners exit by themselves when the parent is lost (no heartbeats); on a normal JVM exit they go at once.
        this.killOnExit = new Thread(this::killAll, "flame-process-" + pool + "-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
        this.training = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "flame-process-" + pool + "-training");
            t.setDaemon(true);
            return t;
        });
    }

    /** Makes the runner server ready and starts its training, so that neither waits for a first call. */
    @Override
    public void prepare() throws IOException {
        train(server());
    }

    /** The runner server, made ready on first use; the work directory checked every time. */
    private RunnerServer server() throws IOException {
        // the server is reused across launches, launchers and parent restarts, and runs with this user's rights:
        // only safe while nobody but this user can change the directory, so check it every time
        ProcessWorkDir.prepare(workDir, workDirKey);
        return source.prepare(workDir);
    }

    @Override
    public LaunchedRunner launch(String runnerId, Map<String, String> env) throws Exception {
        RunnerServer u = server();
        Path output = u.outputRoot().resolve(runnerId);
        Files.createDirectories(output);
        Path console = output.resolve("console.log");
        ProcessBuilder pb = new ProcessBuilder(LibertyInstallation.serverCommand(u.wlp(), "run", u.name()));
        Map<String, String> backend = new HashMap<>(env);
        backend.putIfAbsent(RunnerEnv.HTTP_PORT, Integer.toString(freePort()));
        backend.put("WLP_OUTPUT_DIR", output.toString());
        backend.put("JAVA_HOME", javaHome.toString());
        u.userDir().ifPresent(usr -> backend.put("WLP_USER_DIR", usr.toString()));
        WarmStart warm = WarmStart.prepare(u.training(), u.home(), javaHome, output);
        warm.jvmOption().ifPresent(option -> backend.put("JVM_ARGS",
                (poolEnv.getOrDefault("JVM_ARGS", "") + " " + option).trim()));
        logWarmState(warm);
        train(u);
        // Not the parent's environment: it may hold cloud credentials, and a parent that is itself a Liberty server
        // has server variables (WLP_USER_DIR, JVM_ARGS, LOG_DIR...) that would point the runner at its server.
        pb.environment().clear();
        pb.environment().putAll(RunnerEnvironment.of(parentEnv, poolEnv, backend));
        pb.redirectErrorStream(true).redirectOutput(console.toFile());
        Process process = pb.start();
        live.add(process);
        process.onExit().thenRun(() -> {
            live.remove(process);
            WarmStart.discard(u.training(), output);
        });
        Path messages = output.resolve(u.name()).resolve("logs/messages.log");
        LOG.info(() -> "flame pool '" + pool + "': runner " + runnerId + " started as pid " + process.pid()
                + " on port " + pb.environment().get(RunnerEnv.HTTP_PORT) + "; its log: " + messages);
        return new LocalProcess(runnerId, process, console, messages);
    }

    /** Says once per change how runners start: cold, warm (own or inherited), with or without the AOT cache. */
    private void logWarmState(WarmStart warm) {
        String state = warm.describe(javaHome, train);
        if (!state.equals(lastWarmState)) {
            lastWarmState = state;
            LOG.info(() -> "flame pool '" + pool + "': runners start " + state);
        }
    }

    /** Trains a runner server once, in the background: runners launched meanwhile start as before. */
    private void train(RunnerServer u) {
        if (!train || RunnerTraining.trained(u.home(), javaHome) || !TRAINING_STARTED.add(u.home())) {
            return;
        }
        try {
            training.execute(() -> {
                try {
                    RunnerTraining.train(u.training(), u.home(), javaHome, TRAINING_TIMEOUT);
                } catch (IOException e) {
                    LOG.warning(() -> "flame pool '" + pool + "': training runner server " + u.home() + " failed;"
                            + " runners start cold: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    if (!RunnerTraining.trained(u.home(), javaHome)) {
                        TRAINING_STARTED.remove(u.home()); // another pool's launch may try again
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the launcher is closed
        }
    }

    @Override
    public void close() {
        training.shutdownNow();
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private void killAll() {
        live.forEach(ProcessLauncher::kill);
    }

    private static void kill(Process process) {
        // 'server run' may stay a shell with the JVM as its child: kill the whole tree
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] all = in.readAllBytes();
            String text = new String(all, StandardCharsets.UTF_8);
            return text.length() <= TAIL_CHARS ? text : text.substring(text.length() - TAIL_CHARS);
        } catch (IOException e) {
            return "";
        } catch (UncheckedIOException e) {
            return "";
        }
    }

    private static final class LocalProcess implements LaunchedRunner {
        private final String runnerId;
        private final Process process;
        private final Path console;
        private final Path messages;

        LocalProcess(String runnerId, Process process, Path console, Path messages) {
            this.runnerId = runnerId;
            this.process = process;
            this.console = console;
            this.messages = messages;
        }

        @Override
        public String describe() {
            return "pid " + process.pid();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public JoinOrigin joinOrigin() {
            return JoinOrigin.loopback();
        }

        @Override
        public void terminate() {
            if (process.isAlive()) {
                LOG.info(() -> "flame runner " + runnerId + ": killing pid " + process.pid());
            }
            kill(process);
        }

        @Override
        public String diagnostics() {
            String log = Files.exists(messages) ? tail(messages) : tail(console);
            return "runner " + runnerId + " (" + describe() + (process.isAlive() ? ", running" : ", exited "
                    + process.exitValue()) + "), last lines of " + (Files.exists(messages) ? messages : console)
                    + ":\n" + log;
        }
    }
}
