package io.flameec2.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import io.flameec2.FlamePoolConfig;
import io.flameec2.event.RunnerReady;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.impl.remote.RemoteBackend;
import io.flameec2.impl.remote.RemoteSettings;
import io.flameec2.impl.remote.RunnerLauncher;
import io.flameec2.impl.wire.WireCall;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.spi.BackendContext;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Issue 7: FlameEC2's remote path against its transport floor and against Hazelcast, all on loopback.
 *
 * <ul>
 *   <li><b>http-floor</b>: a bare echo servlet ({@link EchoServlet}) on an Open Liberty server with servlet-6.0
 *       only, called with the JDK HttpClient (HTTP/1.1) from this JVM, the same client FlameEC2 uses; the body
 *       has the size of FlameEC2's encoded no-op call.</li>
 *   <li><b>tcp-pingpong</b>, <b>tls-pingpong</b>: the limit the runner channel aims at ({@link PingPong}): a
 *       server in a second JVM echoes messages of the size of a no-op FlameEC2 call over ONE loopback
 *       connection, plain TCP and JDK TLS 1.3 (the channel's {@link io.flameec2.impl.channel.ChannelTls}
 *       contexts); 16 and 64 callers are multiplexed over that one connection.</li>
 *   <li><b>flameec2</b>: the real path: {@link FlamePoolEngine} over {@link RemoteBackend}, one runner = the
 *       runner WAR (plus {@link BenchTasks}) on Open Liberty with liberty-config's runner server.xml, launched
 *       by this JVM as its parent; the runner connects back to this JVM's channel (one TLS 1.3 connection,
 *       Netty) and joins with its one-time token; no-op closures (serialized, filtered, run on the runner's
 *       managed threads) through the pool (max 1 runner, max-concurrency {@code --max-concurrency}, 10000).</li>
 *   <li><b>hazelcast</b>: Hazelcast 5.5.0 {@code IExecutorService} (pool size 64): one member alone in a second
 *       JVM ({@link HazelcastMember}), this JVM a client.</li>
 * </ul>
 * Scenarios: warm no-op calls with 1, 16 and 64 closed-loop callers, a 1 MB argument returned (1 caller), and
 * cold starts: spawn to the first 200 of a bare Liberty with the echo WAR, and spawn to registered of a runner
 * (joined: the pool's {@link RunnerReady#bootTime()}). Cold starts run one at a time; then each scenario runs on every
 * system back to back (the servers stay up, idle while another is measured), so that the load of a shared
 * machine at that moment weighs on all of them alike. Last, {@code 10k concurrent}: {@code --concurrent}
 * (10000) calls that each sleep {@code --sleep-ms} (5000) on the runner, all in flight at once on its one
 * connection: the parent's heap growth per in-flight call (used heap after GC, in flight minus before), the
 * runner's threads and resident memory, and the time until all started (the closures return their start
 * time) and ended. Prints a table with ratios to the floor and to Hazelcast, the issue's targets (FlameEC2
 * against Hazelcast) and writes {@code bench/target/transport.csv}.
 *
 * <p>Run from the repository root: {@code bench/run.sh} (or, built, {@code java -cp
 * "bench/target/classes:bench/target/lib/*" io.flameec2.bench.TransportBench [--seconds=3] [--warmup=2]
 * [--cold=1] [--callers=1,16,64] [--mb=true] [--only=http-floor,tcp-pingpong,tls-pingpong,flameec2,hazelcast]
 * [--csv=transport.csv] [--prewarm=8] [--unlimited-keepalive=false] [--core-threads=0] [--max-concurrency=10000]
 * [--concurrent=10000] [--sleep-ms=5000] [--noop=true] [--mb-calls=200]}; {@code --concurrent=0} skips the in-flight scenario,
 * {@code --noop=false} the no-op ones).
 */
public final class TransportBench {

    static final String FLOOR = "http-floor";
    static final String FLAME = "flameec2";
    static final String HAZELCAST = "hazelcast";
    static final String TCP = "tcp-pingpong";
    static final String TLS = "tls-pingpong";
    /** The first of the ports used (-Dbench.ports=N moves them all, for two runs side by side). */
    private static final int PORTS = Integer.getInteger("bench.ports", 19410);
    private static final int ECHO_PORT = PORTS + 1;
    private static final int RUNNER_PORT = PORTS;
    private static final int PARENT_PORT = PORTS + 2;
    private static final int HAZELCAST_PORT = PORTS + 10;
    private static final int PINGPONG_PORT = PORTS + 3;
    private static final int PINGPONG_TLS_PORT = PORTS + 4;
    private static final int MB = 1 << 20;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** Strong references: JUL forgets levels of loggers nobody holds. */
    private static final List<Logger> QUIET = new ArrayList<>();

    private final Duration warmup;
    private final Duration measure;
    private final int coldRuns;
    private final Duration prewarm;
    private final int[] callers;
    private final boolean megabyteScenario;
    private final Path target;
    private final List<Load.Result> results = new ArrayList<>();
    private final Map<String, List<Long>> cold = new LinkedHashMap<>();
    private final byte[] megabyte = new byte[MB];
    private final List<String> notes = new ArrayList<>();
    /** The JVM that answers each system's calls, for its CPU time per call. */
    private final Map<String, java.util.function.Supplier<Optional<ProcessHandle>>> servers = new HashMap<>();
    private int maxConcurrency = 10_000;
    private boolean noopScenario = true;
    private int megabyteCalls = 200;
    /** {@code --telemetry=true}: the flameec2 path with OpenTelemetry on, in the parent and on the runner. */
    private boolean telemetry;
    private FlamePoolEngine flamePool;
    private BenchLauncher flameLauncher;

    private TransportBench(Duration warmup, Duration measure, int coldRuns, Path target, int[] callers,
            boolean megabyteScenario, Duration prewarm) {
        this.prewarm = prewarm;
        this.callers = callers;
        this.megabyteScenario = megabyteScenario;
        this.warmup = warmup;
        this.measure = measure;
        this.coldRuns = coldRuns;
        this.target = target;
        new Random(7).nextBytes(megabyte);
    }

    /** A started system: its two kinds of call, and how to stop it. */
    private record Target(String name, Load.Op noop, Load.Op megabyte, AutoCloseable stop) {
    }

    /**
     * Runs every scenario.
     *
     * @param args {@code --seconds=N} measured per scenario, {@code --warmup=N}, {@code --cold=N} cold starts
     * @throws Exception when a scenario cannot run
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            opts.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        for (String name : List.of("com.hazelcast", "io.flameec2")) {
            Logger l = Logger.getLogger(name);
            l.setLevel(Level.WARNING);
            QUIET.add(l);
        }
        Path root = Path.of(opts.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path target = root.resolve("bench/target");
        TransportBench bench = new TransportBench(Duration.ofSeconds(Long.parseLong(opts.getOrDefault("warmup", "3"))),
                Duration.ofSeconds(Long.parseLong(opts.getOrDefault("seconds", "3"))),
                // the last cold start leaves the system up for the warm scenarios: at least one
                Math.max(1, Integer.parseInt(opts.getOrDefault("cold", "1"))), target,
                Arrays.stream(opts.getOrDefault("callers", "1,16,64").split(",")).mapToInt(Integer::parseInt).toArray(),
                Boolean.parseBoolean(opts.getOrDefault("mb", "true")),
                Duration.ofSeconds(Long.parseLong(opts.getOrDefault("prewarm", "8"))));
        Liberty liberty = Liberty.prepare(target.resolve("liberty"), root,
                Boolean.parseBoolean(opts.getOrDefault("unlimited-keepalive", "false")),
                Integer.parseInt(opts.getOrDefault("core-threads", "0")));
        Set<String> only = Set.of(opts.getOrDefault("only", String.join(",", FLOOR, TCP, TLS, FLAME, HAZELCAST))
                .split(","));
        bench.maxConcurrency = Integer.parseInt(opts.getOrDefault("max-concurrency", "10000"));
        bench.noopScenario = Boolean.parseBoolean(opts.getOrDefault("noop", "true"));
        bench.megabyteCalls = Integer.parseInt(opts.getOrDefault("mb-calls", "200"));
        bench.telemetry = Boolean.parseBoolean(opts.getOrDefault("telemetry", "false"));
        int concurrent = Integer.parseInt(opts.getOrDefault("concurrent", "10000"));
        long sleepMs = Long.parseLong(opts.getOrDefault("sleep-ms", "5000"));
        List<Target> targets = new ArrayList<>();
        try {
            // cold starts one at a time, then every scenario on every system back to back, so that the load
            // of the (shared) machine at that moment weighs on the floor and on the others alike
            if (only.contains(FLOOR)) {
                targets.add(bench.floor(liberty));
            }
            if (only.contains(TCP) || only.contains(TLS)) {
                targets.addAll(bench.pingPong(only.contains(TCP), only.contains(TLS)));
            }
            if (only.contains(FLAME)) {
                targets.add(bench.flame(liberty));
            }
            if (only.contains(HAZELCAST)) {
                targets.add(bench.hazelcast());
            }
            bench.scenarios(targets);
            if (bench.flamePool != null && concurrent > 0) {
                bench.inFlight(concurrent, sleepMs);
            }
        } finally {
            for (Target t : targets) {
                try {
                    t.stop().close();
                } catch (Exception e) {
                    System.out.println("(stopping " + t.name() + ": " + e + ")");
                }
            }
        }
        bench.report(opts.getOrDefault("csv", "transport.csv"));
        System.exit(0); // HttpClient and Hazelcast client threads are not all daemons
    }

    private void scenarios(List<Target> targets) throws Exception {
        // the JIT compiles a method after about 10k calls: without this, the 1-caller scenario that comes first
        // measures the interpreter, and more so on the longer path (FlameEC2's) than on the floor's
        System.out.println("== JIT warm-up, " + prewarm.toSeconds() + " s per system with 16 callers (not recorded)");
        for (Target t : targets) {
            Load.run(t.name(), "warm-up", 16, prewarm, Duration.ZERO, Integer.MAX_VALUE, t.noop());
            if (megabyteScenario) {
                // the 1 MB path has code of its own (chunked bodies, large arrays through TLS) to compile
                Load.run(t.name(), "warm-up 1 MB", 1, prewarm, Duration.ZERO, Integer.MAX_VALUE, t.megabyte());
            }
        }
        System.out.println("== warm calls");
        for (int n : noopScenario ? callers : new int[0]) {
            for (Target t : targets) {
                results.add(Load.run(t.name(), "no-op", n, warmup, measure, Integer.MAX_VALUE, t.noop(),
                        cpu(t.name())));
            }
        }
        if (megabyteScenario) {
            for (Target t : targets) {
                results.add(Load.run(t.name(), "1 MB round trip", 1, warmup, measure, megabyteCalls, t.megabyte(),
                        cpu(t.name())));
            }
        }
    }

    /**
     * {@code n} sleeping calls in flight at once on the one runner: the parent's heap per in-flight call, the
     * runner's threads and memory, and how long until all started and ended.
     */
    private void inFlight(int n, long sleepMs) throws Exception {
        System.out.println("== " + FLAME + ": " + n + " concurrent calls sleeping " + sleepMs + " ms on one runner "
                + "(max-concurrency " + maxConcurrency + ")");
        FlameInvocation sleep = new FlameInvocation.Closure(BenchTasks.sleep(sleepMs));
        flamePool.submit(sleep, CALL_TIMEOUT).get(); // the closure's class is loaded on both sides
        Optional<ProcessHandle> runner = flameLauncher.runnerJvm();
        long[] runnerBefore = runner.map(h -> procStatus(h.pid())).orElse(new long[] {-1, -1});
        long heapBefore = usedHeapAfterGc();
        List<CompletableFuture<Object>> calls = new ArrayList<>(n);
        AtomicLong lastEnd = new AtomicLong();
        AtomicLong latestStart = new AtomicLong();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        long startMs = System.currentTimeMillis();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Object> f = flamePool.submit(sleep, CALL_TIMEOUT);
            f.whenComplete((v, e) -> {
                lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                if (e != null) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e);
                } else {
                    latestStart.accumulateAndGet((Long) v, Math::max);
                }
            });
            calls.add(f);
        }
        long submittedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        Thread.sleep(Math.min(sleepMs / 2, 1500)); // let the runner start them
        long[] runnerDuring = runner.map(h -> procStatus(h.pid())).orElse(new long[] {-1, -1});
        long heapDuring = usedHeapAfterGc();
        long doneAtMeasure = calls.stream().filter(CompletableFuture::isDone).count();
        for (CompletableFuture<Object> f : calls) {
            try {
                f.get(5, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                // counted in whenComplete
            }
        }
        long endMs = TimeUnit.NANOSECONDS.toMillis(lastEnd.get() - t0);
        String line1 = String.format(Locale.ROOT, "10k concurrent: %d calls sleeping %d ms: %d ok, %d failed%s; "
                + "all submitted after %d ms, all started after %d ms, all ended after %d ms (ideal %d ms)", n,
                sleepMs, n - failed.get(), failed.get(), firstFailure.get() == null ? ""
                        : " (first: " + firstFailure.get() + ")", submittedMs,
                failed.get() == n ? -1 : latestStart.get() - startMs, endMs, sleepMs);
        String line2 = String.format(Locale.ROOT, "10k concurrent: parent heap after GC %.1f MB -> %.1f MB with "
                + "the calls in flight (%d of them done at that moment): %.0f bytes per in-flight call (incl. the "
                + "caller's future)", heapBefore / 1e6, heapDuring / 1e6, doneAtMeasure,
                (heapDuring - heapBefore) / (double) (n - doneAtMeasure));
        String line3 = String.format(Locale.ROOT, "10k concurrent: runner JVM threads %d -> %d, resident %.0f MB -> "
                + "%.0f MB (%.0f KB per in-flight call)", runnerBefore[0], runnerDuring[0], runnerBefore[1] / 1024.0,
                runnerDuring[1] / 1024.0, (runnerDuring[1] - runnerBefore[1]) / (double) n);
        for (String l : List.of(line1, line2, line3)) {
            System.out.println("  " + l);
            notes.add(l);
        }
    }

    /** CPU nanoseconds so far of this JVM (the callers) and of the system's server JVM. */
    private java.util.function.Supplier<long[]> cpu(String system) {
        Optional<ProcessHandle> server = servers.getOrDefault(system, Optional::empty).get();
        return () -> new long[] {cpuNanos(ProcessHandle.current().pid()),
            server.map(h -> cpuNanos(h.pid())).orElse(-1L)};
    }

    /** utime + stime of a process from /proc (10 ms ticks), or -1. */
    private static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // CLK_TCK 100
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The JVM of a Liberty server: the process itself when the script execs it, else its java child. */
    static Optional<ProcessHandle> javaOf(Process p) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(p.toHandle()), p.descendants())
                .filter(h -> h.isAlive() && h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst();
    }

    private static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc(); // a measurement, not a habit: the before and after must both be after a full GC
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** {Threads, VmRSS in KB} of a process, from /proc (Linux), or -1s. */
    private static long[] procStatus(long pid) {
        long[] v = {-1, -1};
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("Threads:")) {
                    v[0] = Long.parseLong(l.substring(8).trim());
                } else if (l.startsWith("VmRSS:")) {
                    v[1] = Long.parseLong(l.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or gone
        }
        return v;
    }

    // ------------------------------------------------------------------ systems

    private Target floor(Liberty liberty) throws Exception {
        System.out.println("== " + FLOOR + ": bare Liberty (servlet-6.0) + echo servlet");
        URI echo = URI.create("http://127.0.0.1:" + ECHO_PORT + "/echo/echo");
        Process server = null;
        try {
            for (int i = 0; i < coldRuns; i++) {
                Liberty.stop(server);
                long t0 = System.nanoTime();
                server = liberty.start(Liberty.ECHO, "echo-" + i,
                        Map.of("FLAME_HTTP_PORT", Integer.toString(ECHO_PORT)));
                Liberty.awaitOk(echo, server, Duration.ofMinutes(3));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                System.out.println("  cold start (spawn -> first 200): " + ms + " ms");
                cold.computeIfAbsent(FLOOR, k -> new ArrayList<>()).add(ms);
            }
        } catch (Exception | Error e) {
            Liberty.stop(server);
            throw e;
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        byte[] small = new byte[noopCallBytes()];
        Process started = server;
        servers.put(FLOOR, () -> javaOf(started));
        return new Target(FLOOR, () -> post(http, echo, small), () -> post(http, echo, megabyte),
                () -> Liberty.stop(started));
    }

    private static void post(HttpClient http, URI uri, byte[] body) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200 || r.body().length != body.length) {
            throw new IllegalStateException("echo answered " + r.statusCode() + " with " + r.body().length + " bytes");
        }
    }

    /** The ping-pong server in a second JVM, and a client connection to its plain and its TLS port. */
    private List<Target> pingPong(boolean plain, boolean tls) throws Exception {
        System.out.println("== " + TCP + " / " + TLS + ": echo server thread in a second JVM, ONE loopback "
                + "connection each, callers multiplexed");
        Path log = target.resolve("pingpong-server.log");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the limit of plain JDK sockets: its server context must be the JDK's, not the channel's BoringSSL
                "-Xmx128m", "-Dflame.channel.tls-provider=jdk", "-cp", System.getProperty("java.class.path"),
                PingPong.class.getName(),
                Integer.toString(PINGPONG_PORT), Integer.toString(PINGPONG_TLS_PORT)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        AutoCloseable stop = () -> {
            server.getOutputStream().close(); // it exits when its stdin closes
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        };
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            String fingerprint = null;
            while (fingerprint == null) {
                String out = Files.readString(log);
                int at = out.indexOf("READY ");
                if (at >= 0 && out.indexOf('\n', at) > 0) {
                    fingerprint = out.substring(at + 6, out.indexOf('\n', at)).trim();
                } else if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the ping-pong server did not start; see " + log);
                } else {
                    Thread.sleep(10); // polling a file another process writes
                }
            }
            byte[] small = new byte[noopCallBytes()];
            servers.put(TCP, () -> Optional.of(server.toHandle()));
            servers.put(TLS, () -> Optional.of(server.toHandle()));
            List<Target> started = new ArrayList<>();
            List<PingPong.Client> clients = new ArrayList<>();
            if (plain) {
                PingPong.Client c = new PingPong.Client(PINGPONG_PORT, null);
                clients.add(c);
                started.add(new Target(TCP, () -> c.call(small), () -> c.call(megabyte), c));
            }
            if (tls) {
                PingPong.Client c = new PingPong.Client(PINGPONG_TLS_PORT, fingerprint);
                clients.add(c);
                started.add(new Target(TLS, () -> c.call(small), () -> c.call(megabyte), c));
            }
            // the last one stops the server
            Target last = started.remove(started.size() - 1);
            started.add(new Target(last.name(), last.noop(), last.megabyte(), () -> {
                last.stop().close();
                stop.close();
            }));
            System.out.println("  message size " + small.length + " B (+8 B header) each way");
            return started;
        } catch (Exception | Error e) {
            stop.close();
            throw e;
        }
    }

    /** The size of the request body of a FlameEC2 no-op call, for the floor's body. */
    private static int noopCallBytes() throws Exception {
        RemoteSettings s = settings();
        return new WireCodec(s.filter()).encode(WireCall.of(new FlameCall("c-0000000000",
                new FlameInvocation.Closure(BenchTasks.noop()), Instant.now().plusSeconds(60)))).length;
    }

    private Target flame(Liberty liberty) throws Exception {
        System.out.println("== " + FLAME + ": pool engine + remote backend + runner WAR on Liberty (one TLS "
                + "connection, runner -> parent)");
        FlamePoolEngine pool = null;
        RemoteBackend backend = null;
        BenchLauncher launcher = new BenchLauncher(liberty, telemetry);
        io.flameec2.impl.pool.PoolTelemetry poolTelemetry = telemetry ? BenchTelemetry.sdk()
                : io.flameec2.impl.pool.PoolTelemetry.NONE;
        System.out.println("  telemetry " + (telemetry ? "on (OpenTelemetry SDK in parent and runner)" : "off"));
        try {
            for (int i = 0; i < coldRuns; i++) {
                if (pool != null) {
                    stop(pool, backend);
                }
                FlamePoolConfig config = FlamePoolConfig.builder("bench").min(0).max(1).maxConcurrency(maxConcurrency)
                        .bootTimeout(Duration.ofMinutes(3)).idleShutdownAfter(Duration.ofMinutes(10))
                        .timeout(CALL_TIMEOUT).shutdownTimeout(Duration.ofSeconds(5)).backend("bench").build();
                backend = new RemoteBackend(context(config), launcher, settings());
                CompletableFuture<Duration> ready = new CompletableFuture<>();
                pool = new FlamePoolEngine(config, backend, e -> {
                    if (e instanceof RunnerReady r) {
                        ready.complete(r.bootTime());
                    }
                }, poolTelemetry);
                long t0 = System.nanoTime();
                // the first call waits for the boot: its timeout covers the boot timeout, not CALL_TIMEOUT
                pool.submit(new FlameInvocation.Closure(BenchTasks.noop()), Duration.ofMinutes(4))
                        .get(4, TimeUnit.MINUTES);
                long firstCall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                long ms = ready.get(1, TimeUnit.SECONDS).toMillis();
                System.out.println("  cold start (spawn -> joined): " + ms + " ms; first call answered after "
                        + firstCall + " ms");
                cold.computeIfAbsent(FLAME, k -> new ArrayList<>()).add(ms);
            }
        } catch (Exception | Error e) {
            if (pool != null) {
                stop(pool, backend);
            }
            launcher.killAll();
            throw e;
        }
        FlamePoolEngine p = pool;
        RemoteBackend b = backend;
        flamePool = pool;
        flameLauncher = launcher;
        servers.put(FLAME, launcher::runnerJvm);
        FlameInvocation noop = new FlameInvocation.Closure(BenchTasks.noop());
        FlameInvocation echo = new FlameInvocation.Closure(BenchTasks.echo(megabyte));
        return new Target(FLAME, () -> p.submit(noop, CALL_TIMEOUT).get(), () -> {
            byte[] back = (byte[]) p.submit(echo, CALL_TIMEOUT).get();
            if (back.length != MB) {
                throw new IllegalStateException("got " + back.length + " bytes back");
            }
        }, () -> {
            stop(p, b);
            launcher.killAll();
        });
    }

    private static void stop(FlamePoolEngine pool, RemoteBackend backend) {
        try {
            pool.shutdown().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.out.println("  (pool shutdown: " + e + ")");
        }
        backend.close();
    }

    private Target hazelcast() throws Exception {
        System.out.println("== " + HAZELCAST + ": member in a second JVM, this JVM a client");
        Path log = target.resolve("hazelcast-member.log");
        long t0 = System.nanoTime();
        Process member = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), HazelcastMember.class.getName(),
                Integer.toString(HAZELCAST_PORT)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        AutoCloseable stop = () -> {
            member.getOutputStream().close(); // the member exits when its stdin closes
            if (!member.waitFor(20, TimeUnit.SECONDS)) {
                member.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        };
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!Files.readString(log).contains("READY\n")) {
                if (!member.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Hazelcast member did not start; see " + log);
                }
                Thread.sleep(10); // polling a file another process writes
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("  member start (spawn -> accepting): " + ms + " ms");
            cold.computeIfAbsent(HAZELCAST, k -> new ArrayList<>()).add(ms);
            ClientConfig cc = new ClientConfig().setClusterName(HazelcastMember.CLUSTER);
            cc.setProperty("hazelcast.logging.type", "jdk");
            cc.getNetworkConfig().addAddress("127.0.0.1:" + HAZELCAST_PORT);
            HazelcastInstance client = HazelcastClient.newHazelcastClient(cc);
            IExecutorService executor = client.getExecutorService("bench");
            servers.put(HAZELCAST, () -> Optional.of(member.toHandle()));
            return new Target(HAZELCAST, () -> executor.submit(new BenchTasks.HzNoop()).get(), () -> {
                byte[] back = executor.submit(new BenchTasks.HzEcho(megabyte)).get();
                if (back.length != MB) {
                    throw new IllegalStateException("got " + back.length + " bytes back");
                }
            }, () -> {
                client.shutdown();
                stop.close();
            });
        } catch (Exception | Error e) {
            stop.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ the runner, as this JVM's child

    static RemoteSettings settings() {
        return RemoteSettings.read(ConfigLookup.of(Map.of(RemoteSettings.PARENT_HOST, "127.0.0.1",
                RemoteSettings.PARENT_PORT, Integer.toString(PARENT_PORT), "flame.serialization.allow",
                "io.flameec2.bench.*")));
    }

    static BackendContext context(FlamePoolConfig config) {
        return new BackendContext() {
            @Override
            public FlamePoolConfig pool() {
                return config;
            }

            @Override
            public Optional<String> setting(String key) {
                return Optional.empty();
            }

            @Override
            public String settingKey(String key) {
                return "flame.pools.bench.bench." + key;
            }

            @Override
            public String parentId() {
                return "bench-" + ProcessHandle.current().pid();
            }
        };
    }

    /**
     * Starts the runner server with the environment the remote backend gives it (the parent channel's address
     * and fingerprint, the join token, ...), like the process backend; the runner joins from loopback.
     */
    private static final class BenchLauncher implements RunnerLauncher {
        private final Liberty liberty;
        private final boolean telemetry;
        private final List<Process> live = new ArrayList<>();

        BenchLauncher(Liberty liberty, boolean telemetry) {
            this.liberty = liberty;
            this.telemetry = telemetry;
        }

        @Override
        public synchronized LaunchedRunner launch(String runnerId, Map<String, String> env) throws Exception {
            Map<String, String> all = new HashMap<>(env);
            all.put("FLAME_HTTP_PORT", Integer.toString(RUNNER_PORT)); // loopback only, unused by FlameEC2
            all.put("FLAME_SERIALIZATION_ALLOW", "io.flameec2.bench.*");
            if (telemetry) {
                all.putAll(BenchTelemetry.RUNNER_ENV);
            }
            Process p = liberty.startAsRunner(Liberty.RUNNER, "runner-" + runnerId, all, true);
            live.add(p);
            return Liberty.launched(p, "bench runner pid " + p.pid());
        }

        synchronized void killAll() {
            live.forEach(Liberty::stop);
        }

        /** The runner's JVM (the child of the {@code server run} script), if it runs. */
        synchronized Optional<ProcessHandle> runnerJvm() {
            return live.stream().filter(Process::isAlive).reduce((a, b) -> b).flatMap(TransportBench::javaOf);
        }
    }

    // ------------------------------------------------------------------ report

    private void report(String csvName) throws IOException {
        PrintStream out = System.out;
        String fmt = "%-12s %-15s %7s %8s %11s %8s %8s %11s %12s %8s %9s %10s %10s%n";
        String header = "system,scenario,callers,calls,calls_per_s,p50_us,p99_us,x_floor_p50,x_floor_tput,x_hz_p50,"
                + "x_hz_tput,cpu_cli_us,cpu_srv_us";
        StringBuilder csv = new StringBuilder(header).append('\n');
        out.println();
        out.printf(Locale.ROOT, fmt, (Object[]) header.split(","));
        for (Load.Result r : results) {
            Optional<Load.Result> f = same(FLOOR, r);
            Optional<Load.Result> h = same(HAZELCAST, r);
            String[] row = {r.system(), r.scenario(), Integer.toString(r.callers()), Long.toString(r.calls()),
                String.format(Locale.ROOT, "%.0f", r.perSecond()), String.format(Locale.ROOT, "%.0f", r.micros(0.5)),
                String.format(Locale.ROOT, "%.0f", r.micros(0.99)),
                f.map(x -> ratio(r.micros(0.5), x.micros(0.5))).orElse("-"),
                f.map(x -> ratio(r.perSecond(), x.perSecond())).orElse("-"),
                h.map(x -> ratio(r.micros(0.5), x.micros(0.5))).orElse("-"),
                h.map(x -> ratio(r.perSecond(), x.perSecond())).orElse("-"),
                String.format(Locale.ROOT, "%.0f", r.cpuMicrosPerCall(0)),
                String.format(Locale.ROOT, "%.0f", r.cpuMicrosPerCall(1))};
            out.printf(Locale.ROOT, fmt, (Object[]) row);
            csv.append(String.join(",", row)).append('\n');
        }
        out.println("(cpu_cli_us / cpu_srv_us: CPU time per measured call of this JVM, the callers and the client, and "
                + "of the JVM that answers: Liberty, runner, member, echo server; /proc, 10 ms ticks)");
        out.println();
        out.println("targets (FlameEC2 / Hazelcast, this run):");
        target("no-op, 1 caller, p50", "no-op", 1, true, 1.0);
        target("no-op, 16 callers, calls/s", "no-op", 16, false, 1.0);
        target("no-op, 64 callers, calls/s", "no-op", 64, false, 1.0);
        target("1 MB round trip, p50", "1 MB round trip", 1, true, 1.2);
        out.println();
        for (Map.Entry<String, List<Long>> e : cold.entrySet()) {
            String what = switch (e.getKey()) {
                case FLOOR -> "bare Liberty + echo WAR, spawn -> first 200";
                case FLAME -> "FlameEC2 runner, spawn -> joined";
                default -> "Hazelcast member JVM, spawn -> accepting";
            };
            long[] v = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
            out.printf(Locale.ROOT, "cold start %-46s %s ms%n", what, Arrays.toString(v));
            csv.append(e.getKey()).append(",cold start,1,").append(v.length).append(",,")
                    .append(v[v.length / 2] * 1000).append(",").append(v[v.length - 1] * 1000).append(",,,,,,\n");
        }
        notes.forEach(out::println);
        Path file = target.resolve(csvName);
        Files.createDirectories(file.getParent());
        Files.writeString(file, csv);
        out.println("\nwrote " + file);
    }

    private Optional<Load.Result> same(String system, Load.Result r) {
        return results.stream().filter(x -> x.system().equals(system) && x.scenario().equals(r.scenario())
                && x.callers() == r.callers()).findFirst();
    }

    /** One of the issue's targets: FlameEC2's p50 at most, or its calls/s at least, {@code bound} x Hazelcast's. */
    private void target(String what, String scenario, int callers, boolean latency, double bound) {
        Optional<Load.Result> f = results.stream().filter(x -> x.system().equals(FLAME)
                && x.scenario().equals(scenario) && x.callers() == callers).findFirst();
        Optional<Load.Result> h = f.flatMap(x -> same(HAZELCAST, x));
        if (f.isEmpty() || h.isEmpty()) {
            System.out.printf(Locale.ROOT, "  %-28s not measured%n", what);
            return;
        }
        double x = latency ? f.get().micros(0.5) / h.get().micros(0.5) : f.get().perSecond() / h.get().perSecond();
        boolean met = latency ? x <= bound : x >= bound;
        System.out.printf(Locale.ROOT, "  %-28s %5.2fx   target %s %.1fx   %s%n", what, x, latency ? "<=" : ">=", bound,
                met ? "MET" : "MISSED");
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f", a / b);
    }
}
