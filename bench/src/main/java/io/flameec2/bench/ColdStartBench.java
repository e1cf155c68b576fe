package io.flameec2.bench;

import io.flameec2.FlamePoolConfig;
import io.flameec2.event.BootPhases;
import io.flameec2.event.RunnerReady;
import io.flameec2.impl.bundle.RunnerRecipe;
import io.flameec2.impl.bundle.RunnerTraining;
import io.flameec2.impl.bundle.WarmStart;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.impl.pool.PoolTelemetry;
import io.flameec2.impl.remote.RemoteBackend;
import io.flameec2.impl.remote.RunnerLauncher;
import io.flameec2.spi.FlameInvocation;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runner cold start against the floor, in one run: a bare Open Liberty with the echo WAR (servlet-6.0 only),
 * spawn to its first 200, beside a {@code process} runner of the runner WAR, spawn to joined (the pool's
 * {@link RunnerReady#bootTime()}) with its {@link BootPhases}, for several runner configurations, each one step
 * beyond the one before, so the table shows what each step saved. Rounds alternate all configurations and
 * the floors, so the load of the shared machine at that moment weighs on all alike; the table gives medians
 * and the median of the per-round ratios to the floor of the same Java.
 *
 * <p>Configurations ({@code --variants}, default all): {@code before} (the runner server.xml before issue 15,
 * the JVM's defaults), then {@code product} (what {@link RunnerRecipe} writes now: the server a parent makes of
 * itself), {@code warm} (plus its training: a warm workarea), {@code product-25} (product on Java 25) and
 * {@code warm-aot-25} (plus its training on Java 25: a warm workarea and the AOT cache); the ones in between are
 * the single steps. {@code inherit} and {@code inherit-aot-25} are the untrained product started with the training
 * of {@code warm} / {@code warm-aot-25} inherited, as the first runners of a new build are ({@link WarmStart}; the
 * same application here, so all of the AOT cache's classes match, where a new build's changed classes would not).
 * Experiments on the product, not in it (README "Runner cold start"): {@code no-jndi} (the product without
 * {@code jndi-1.0}: no managed thread factory, plain threads), {@code no-concurrent} (without {@code concurrent-3.0}
 * as well) and {@code warm-aot-c1-25} ({@code warm-aot-25} with C1 only, as a pool's {@code env} can ask).
 *
 * <p>Run from the repository root, once built: {@code java -cp "bench/target/classes:bench/target/lib/*"
 * io.flameec2.bench.ColdStartBench [--rounds=3] [--variants=before,product,...] [--java25=/usr/lib/jvm/...]
 * [--reuse=false]} (with {@code --reuse=true} the runner servers of an earlier run, and their training, stay);
 * writes {@code bench/target/cold-start.csv}.
 */
public final class ColdStartBench {

    private static final int ECHO_PORT = Integer.getInteger("bench.ports", 19410) + 1;
    private static final List<Logger> QUIET = new ArrayList<>();
    private static final String FLOOR = "floor";

    /** One runner configuration. */
    private record Variant(String name, String what, boolean product, List<String> dropFeatures,
            List<String> jvmOptions, boolean java25, boolean trained, boolean inherits) {
        Variant(String name, String what, boolean product, List<String> dropFeatures, List<String> jvmOptions,
                boolean java25, boolean trained) {
            this(name, what, product, dropFeatures, jvmOptions, java25, trained, false);
        }
    }

    private static final List<String> C1_SERIAL = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private static final List<Variant> VARIANTS = List.of(
            new Variant("before", "runner server.xml before #15, JVM defaults", false, List.of(), List.of(), false, false),
            new Variant("no-telemetry", "- mpTelemetry-2.0 (loaded only with OTEL_SDK_DISABLED=false)", false,
                    List.of("mpTelemetry-2.0"), List.of(), false, false),
            new Variant("serial-gc", "+ -XX:+UseSerialGC", false, List.of("mpTelemetry-2.0"),
                    List.of("-XX:+UseSerialGC"), false, false),
            new Variant("c1", "+ -XX:TieredStopAtLevel=1", false, List.of("mpTelemetry-2.0"), C1_SERIAL, false, false),
            new Variant("product", "what RunnerRecipe writes now", true, List.of(), List.of(), false, false),
            new Variant("warm", "+ a warm workarea (trained once)", true, List.of(), List.of(), false, true),
            new Variant("no-jndi", "EXPERIMENT: product - jndi-1.0 (no managed thread factory: plain threads)",
                    true, List.of("jndi-1.0"), List.of(), false, false),
            new Variant("no-concurrent", "EXPERIMENT: no-jndi - concurrent-3.0", true,
                    List.of("jndi-1.0", "concurrent-3.0"), List.of(), false, false),
            new Variant("inherit", "product untrained, with warm's training inherited (a new build's first runners)",
                    true, List.of(), List.of(), false, false, true),
            new Variant("product-25", "product on Java 25", true, List.of(), List.of(), true, false),
            new Variant("warm-aot-25", "+ warm workarea and AOT cache (JEP 483/514), trained once", true, List.of(),
                    List.of(), true, true),
            new Variant("warm-aot-c1-25", "EXPERIMENT: warm-aot-25 + JVM_ARGS=-XX:TieredStopAtLevel=1 (a pool's env)",
                    true, List.of(), List.of("-XX:TieredStopAtLevel=1"), true, true),
            new Variant("inherit-aot-25", "product-25 untrained, with warm-aot-25's training inherited", true,
                    List.of(), List.of(), true, false, true));

    private final Liberty liberty;
    private final Path work;
    private final Path java17 = Path.of(System.getProperty("java.home"));
    private final Path java25;
    private final Map<String, Path> userDirs = new HashMap<>();
    private final Map<String, List<Long>> times = new LinkedHashMap<>();
    private final Map<String, List<Double>> ratios = new LinkedHashMap<>();
    private final Map<String, List<BootPhases>> phases = new LinkedHashMap<>();

    private ColdStartBench(Liberty liberty, Path work, Path java25) {
        this.liberty = liberty;
        this.work = work;
        this.java25 = java25;
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code --rounds=N}, {@code --variants=a,b}, {@code --java25=<java home>}, {@code --root=.}
     * @throws Exception when a server does not start
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            opts.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        for (String name : List.of("io.flameec2")) {
            Logger l = Logger.getLogger(name);
            l.setLevel(Level.WARNING);
            QUIET.add(l);
        }
        Path root = Path.of(opts.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path target = root.resolve("bench/target");
        Liberty liberty = Liberty.prepare(target.resolve("liberty"), root, false, 0);
        Path java25 = Path.of(opts.getOrDefault("java25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        List<String> names = Arrays.asList(opts.getOrDefault("variants",
                String.join(",", VARIANTS.stream().map(Variant::name).toList())).split(","));
        List<Variant> chosen = VARIANTS.stream().filter(v -> names.contains(v.name())).toList();
        ColdStartBench bench = new ColdStartBench(liberty, target.resolve("coldstart"), java25);
        bench.prepare(chosen, Boolean.parseBoolean(opts.getOrDefault("reuse", "false")));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        System.out.println("load average before: " + loadAverage());
        for (int round = 1; round <= rounds; round++) {
            System.out.println("== round " + round + "/" + rounds + " (load average " + loadAverage() + ")");
            Map<Boolean, Long> floors = new HashMap<>();
            floors.put(false, bench.floor(false));
            if (chosen.stream().anyMatch(Variant::java25)) {
                floors.put(true, bench.floor(true));
            }
            for (Variant v : chosen) {
                long ms = bench.runner(v);
                bench.ratios.computeIfAbsent(v.name(), k -> new ArrayList<>())
                        .add((double) ms / floors.get(v.java25()));
            }
        }
        System.out.println("load average after: " + loadAverage());
        bench.report(chosen, target.resolve("cold-start.csv"));
        System.exit(0);
    }

    // ------------------------------------------------------------------ servers

    /** Writes each variant's runner server; with {@code reuse}, one of an earlier run that was trained stays. */
    private void prepare(List<Variant> variants, boolean reuse) throws Exception {
        Path war = liberty.runnerWar;
        String before;
        try (InputStream in = ColdStartBench.class.getResourceAsStream("/coldstart/before-server.xml")) {
            before = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Variant v : variants) {
            Path usr = work.resolve(v.name()).resolve("usr");
            userDirs.put(v.name(), usr);
            if (reuse && Files.isDirectory(usr) && (!v.trained()
                    || RunnerTraining.trained(usr.getParent(), v.java25() ? java25 : java17))) {
                System.out.println(v.name() + ": the runner server of an earlier run, reused");
                continue;
            }
            Liberty.delete(usr.getParent());
            if (v.product()) {
                RunnerRecipe.of(war).writeUserDir(usr);
                Path productXml = usr.resolve("servers/" + RunnerRecipe.SERVER + "/server.xml");
                for (String f : v.dropFeatures()) {
                    Files.writeString(productXml, Files.readString(productXml).replace("<feature>" + f + "</feature>", ""));
                }
            } else {
                Path server = Files.createDirectories(usr.resolve("servers/" + RunnerRecipe.SERVER + "/apps"))
                        .getParent();
                String xml = before;
                for (String f : v.dropFeatures()) {
                    xml = xml.replace("<feature>" + f + "</feature>", "");
                }
                Files.writeString(server.resolve("server.xml"), xml);
                Files.write(server.resolve("jvm.options"), v.jvmOptions());
                Files.copy(war, server.resolve("apps/app.war"));
            }
            userDirs.put(v.name(), usr);
            if (v.trained()) {
                long t0 = System.nanoTime();
                Path java = v.java25() ? java25 : java17;
                RunnerTraining.train(new RunnerTraining.Server(liberty.wlp, Optional.of(usr), RunnerRecipe.SERVER),
                        usr.getParent(), java, Duration.ofMinutes(5));
                System.out.printf(Locale.ROOT, "%s trained in %d ms%n", v.name(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
        }
    }

    private long floor(boolean on25) throws Exception {
        String name = on25 ? FLOOR + "-25" : FLOOR + "-17";
        Map<String, String> env = new HashMap<>();
        env.put("FLAME_HTTP_PORT", Integer.toString(ECHO_PORT));
        env.put("JAVA_HOME", (on25 ? java25 : java17).toString());
        long t0 = System.nanoTime();
        Process server = liberty.start(Liberty.ECHO, "cold-" + name, env);
        try {
            Liberty.awaitOk(URI.create("http://127.0.0.1:" + ECHO_PORT + "/echo/echo"), server, Duration.ofMinutes(3));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf(Locale.ROOT, "  %-14s spawn -> first 200: %6d ms%n", name, ms);
            times.computeIfAbsent(name, k -> new ArrayList<>()).add(ms);
            return ms;
        } finally {
            Liberty.stop(server);
        }
    }

    private long runner(Variant v) throws Exception {
        FlamePoolConfig config = FlamePoolConfig.builder("cold").min(0).max(1).bootTimeout(Duration.ofMinutes(3))
                .idleShutdownAfter(Duration.ofMinutes(10)).shutdownTimeout(Duration.ofSeconds(5)).backend("bench")
                .build();
        Launcher launcher = new Launcher(v);
        RemoteBackend backend = new RemoteBackend(TransportBench.context(config), launcher, TransportBench.settings());
        CompletableFuture<RunnerReady> ready = new CompletableFuture<>();
        FlamePoolEngine pool = new FlamePoolEngine(config, backend, e -> {
            if (e instanceof RunnerReady r) {
                ready.complete(r);
            }
        }, PoolTelemetry.NONE);
        try {
            pool.submit(new FlameInvocation.Closure(BenchTasks.noop()), Duration.ofMinutes(4)).get(4, TimeUnit.MINUTES);
            RunnerReady r = ready.get(1, TimeUnit.SECONDS);
            long ms = r.bootTime().toMillis();
            System.out.printf(Locale.ROOT, "  %-14s spawn -> ready:     %6d ms (%s)%n", v.name(), ms,
                    r.phases().describe());
            times.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(ms);
            phases.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(r.phases());
            return ms;
        } finally {
            pool.shutdown().get(30, TimeUnit.SECONDS);
            backend.close();
            launcher.killAll();
        }
    }

    /** Launches the runner server of one variant, as the {@code process} backend does. */
    private final class Launcher implements RunnerLauncher {
        private final Variant variant;
        private final List<Process> live = new ArrayList<>();

        Launcher(Variant variant) {
            this.variant = variant;
        }

        @Override
        public synchronized LaunchedRunner launch(String runnerId, Map<String, String> env) throws Exception {
            Map<String, String> all = new HashMap<>(env);
            all.put("FLAME_HTTP_PORT", Integer.toString(ECHO_PORT - 1));
            all.put("FLAME_SERIALIZATION_ALLOW", "io.flameec2.bench.*");
            all.put("WLP_USER_DIR", userDirs.get(variant.name()).toString());
            Path java = variant.java25() ? java25 : java17;
            all.put("JAVA_HOME", java.toString());
            Path output = liberty.outputOf("cold-" + variant.name());
            if (variant.trained() || variant.inherits()) {
                Path dir = userDirs.get(variant.name()).getParent();
                WarmStart warm = WarmStart.prepare(new RunnerTraining.Server(liberty.wlp, Optional.of(dir.resolve("usr")),
                        RunnerRecipe.SERVER), dir, java, output);
                warm.jvmOption().ifPresent(o -> all.put("JVM_ARGS", o));
                if (warm.kind() != (variant.trained() ? WarmStart.Kind.TRAINED : WarmStart.Kind.INHERITED)) {
                    throw new IllegalStateException(variant.name() + " would start " + warm.describe(java, false)
                            + ": run it after the variant it inherits from (--variants=warm,inherit)");
                }
            }
            if (variant.product() && !variant.jvmOptions().isEmpty()) { // as a pool's env JVM_ARGS=... adds them
                all.merge("JVM_ARGS", String.join(" ", variant.jvmOptions()), (a, b) -> a + " " + b);
            }
            // the product's runners run bin/server with bash (LibertyInstallation.serverCommand); the steps before
            // it, like the floor, run it as a user types it
            Process p = variant.product() ? liberty.startAsRunner(RunnerRecipe.SERVER, "cold-" + variant.name(), all, false)
                    : liberty.start(RunnerRecipe.SERVER, "cold-" + variant.name(), all, false);
            live.add(p);
            return Liberty.launched(p, "pid " + p.pid());
        }

        synchronized void killAll() {
            live.forEach(Liberty::stop);
        }
    }

    // ------------------------------------------------------------------ report

    private void report(List<Variant> variants, Path csv) throws IOException {
        StringBuilder out = new StringBuilder("name,runs,median_ms,median_ratio_to_floor,phases_median_ms\n");
        System.out.println();
        System.out.println("cold start, medians of " + times.values().stream().mapToInt(List::size).max().orElse(0)
                + " rounds (ratios: median of each round's runner / floor of the same Java)");
        for (String f : List.of(FLOOR + "-17", FLOOR + "-25")) {
            if (times.containsKey(f)) {
                System.out.printf(Locale.ROOT, "%-14s %6d ms  %s%n", f, median(times.get(f)), times.get(f));
                out.append(f).append(',').append(times.get(f).size()).append(',').append(median(times.get(f)))
                        .append(",1.0,\n");
            }
        }
        for (Variant v : variants) {
            List<Long> t = times.get(v.name());
            double ratio = medianD(ratios.get(v.name()));
            String ph = medianPhases(phases.get(v.name()));
            System.out.printf(Locale.ROOT, "%-14s %6d ms  %.2fx floor  %s  %s; %s%n", v.name(), median(t), ratio, t, ph,
                    v.what());
            out.append(v.name()).append(',').append(t.size()).append(',').append(median(t)).append(',')
                    .append(String.format(Locale.ROOT, "%.2f", ratio)).append(",\"").append(ph).append("\"\n");
        }
        Files.writeString(csv, out);
    }

    private static String medianPhases(List<BootPhases> all) {
        Map<String, List<Long>> by = new LinkedHashMap<>();
        all.forEach(p -> p.phases().forEach(ph -> by.computeIfAbsent(ph.name(), k -> new ArrayList<>())
                .add(ph.duration().toMillis())));
        StringBuilder s = new StringBuilder();
        by.forEach((k, v) -> s.append(s.isEmpty() ? "" : ", ").append(k).append(' ').append(median(v)));
        return s.toString();
    }

    private static long median(List<Long> v) {
        List<Long> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }

    private static double medianD(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
