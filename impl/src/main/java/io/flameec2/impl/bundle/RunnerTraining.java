package io.flameec2.impl.bundle;

import io.flameec2.impl.remote.common.RunnerEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What makes a runner server start faster, made once per runner server (per application build) by one
 * training run of that very server, and used by every later runner of it ({@link WarmStart}; until it is done, by
 * the runners of the next build of the application run by the same Liberty):
 * <ul>
 *   <li>a <b>warm workarea</b>: Open Liberty's {@code workarea} after a boot (its OSGi framework, feature
 *       resolution and annotation caches), copied into each new runner's own output directory, so a runner
 *       starts as a restarted server does, not as a server's first start;</li>
 *   <li>on Java {@value #MIN_FEATURE} and later, a JDK <b>AOT cache</b> (JEP 483, made in one step as of JEP
 *       514): the classes the JVM loaded and linked on its way to the join (those of Liberty's OSGi bundles too:
 *       about 93% of a runner's classes) and their method profiles (JEP 515), mapped by later runners instead of
 *       loaded again. On an older Java there is none (the log says which). A cache belongs to one Java build:
 *       its file is named by that Java's version, and a JVM that finds it does not match runs without it
 *       (HotSpot's default {@code -XX:AOTMode=auto}).</li>
 * </ul>
 * The training run boots the runner server in runner mode with a parent that cannot be reached (a closed
 * loopback port), so it walks the real boot path (kernel, features, CDI, the runner's TLS context and join
 * attempts), then exits by itself at its boot timeout, stopping Liberty cleanly; HotSpot writes the cache as
 * the JVM exits. Results appear atomically (made beside, then renamed), so a runner never uses half of one.
 */
public final class RunnerTraining {

    /** The first Java feature release with {@code -XX:AOTCacheOutput}. */
    public static final int MIN_FEATURE = 25;
    private static final Logger LOG = Logger.getLogger(RunnerTraining.class.getName());
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"([^\"]+)\"", Pattern.MULTILINE);
    /** How long the training runner tries to join before it exits: enough for its TLS context and retries. */
    private static final Duration TRAINING_JOIN = Duration.ofSeconds(3);
    private static final Path NICE = Path.of("/usr/bin/nice");
    private static final String INSTALLATION = "installation";
    /** The training script in a runner server's directory ({@link #imageScript}). */
    public static final String IMAGE_SCRIPT = "train-image.sh";
    /** The file in a workarea trained by {@link #IMAGE_SCRIPT}, which the user-data reads. */
    public static final String IMAGE_MARK = "flame-training";

    private RunnerTraining() {
    }

    /**
     * The version of a Java installation, from its {@code release} file.
     *
     * @param javaHome the installation
     * @return such as {@code 25.0.1}, empty when it cannot be read
     */
    public static Optional<String> javaVersion(Path javaHome) {
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(javaHome.resolve("release"), StandardCharsets.UTF_8));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The feature release of a Java installation ({@code 17}, {@code 25}).
     *
     * @param javaHome the installation
     * @return the release, empty when unknown
     */
    public static OptionalInt feature(Path javaHome) {
        Optional<String> v = javaVersion(javaHome);
        if (v.isEmpty()) {
            return OptionalInt.empty();
        }
        String first = v.get().split("[.+-]")[0];
        try {
            return OptionalInt.of(Integer.parseInt(first.startsWith("1") && v.get().startsWith("1.")
                    ? v.get().split("\\.")[1] : first));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Whether a Java installation makes and uses AOT caches.
     *
     * @param javaHome the installation
     * @return {@code true} for release {@value #MIN_FEATURE} and later
     */
    public static boolean supported(Path javaHome) {
        OptionalInt f = feature(javaHome);
        return f.isPresent() && f.getAsInt() >= MIN_FEATURE;
    }

    /**
     * Where the AOT cache of a runner server for a Java lives.
     *
     * @param dir the runner server's directory (made once per build)
     * @param javaHome the runners' Java
     * @return the file, such as {@code dir/warm/runner-25.0.1.aot}
     */
    public static Path aotCache(Path dir, Path javaHome) {
        return dir.resolve("warm").resolve("runner-" + versionName(javaHome) + ".aot");
    }

    /**
     * Where the warm workarea of a runner server for a Java lives (the workarea holds class data of the JVM
     * that wrote it).
     *
     * @param dir the runner server's directory
     * @param javaHome the runners' Java
     * @return the directory, such as {@code dir/warm/workarea-17.0.15}
     */
    public static Path workarea(Path dir, Path javaHome) {
        return dir.resolve("warm").resolve("workarea-" + versionName(javaHome));
    }

    /**
     * Whether the training of a runner server for a Java is done.
     *
     * @param dir the runner server's directory
     * @param javaHome the runners' Java
     * @return {@code true} once its warm workarea exists
     */
    public static boolean trained(Path dir, Path javaHome) {
        return Files.isDirectory(workarea(dir, javaHome));
    }

    /**
     * The JVM option that uses a cache.
     *
     * @param cache the cache file
     * @return {@code -XX:AOTCache=<file>}
     */
    public static String useOption(Path cache) {
        return "-XX:AOTCache=" + cache;
    }

    /**
     * Trains a runner server, unless it was trained for this Java: one run of it, whose workarea becomes the
     * warm workarea and which, on Java {@value #MIN_FEATURE}+, writes the AOT cache.
     *
     * @param server how to run the server: {@code wlp}, user directory, server name
     * @param dir the runner server's directory, where the results go
     * @param javaHome the Java to train
     * @param timeout the longest the training may take; it is killed beyond
     * @return {@code true} when it was trained now, {@code false} when it was trained before
     * @throws IOException when the training failed (the message says why and where its log is)
     * @throws InterruptedException when interrupted while waiting
     */
    public static boolean train(Server server, Path dir, Path javaHome, Duration timeout)
            throws IOException, InterruptedException {
        if (trained(dir, javaHome)) {
            return false;
        }
        Path warm = Files.createDirectories(dir.resolve("warm"));
        Path output = Files.createTempDirectory(warm, "training-");
        boolean aot = supported(javaHome);
        Path cache = aotCache(dir, javaHome);
        Path partial = cache.resolveSibling(cache.getFileName() + ".partial-" + ProcessHandle.current().pid());
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(NICE)) {
            // at the lowest CPU priority: the runners booting meanwhile (cold) come first
            command.addAll(List.of(NICE.toString(), "-n", "19"));
        }
        command.addAll(LibertyInstallation.serverCommand(server.wlp(), "run", server.name()));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("FLAME_") || k.startsWith("WLP_") || k.equals("JVM_ARGS")
                || k.equals("JAVA_TOOL_OPTIONS") || k.startsWith("OTEL_"));
        env.putAll(trainingEnv(Integer.toString(freePort())));
        env.put("JAVA_HOME", javaHome.toString());
        env.put("WLP_OUTPUT_DIR", output.toString());
        server.userDir().ifPresent(usr -> env.put("WLP_USER_DIR", usr.toString()));
        if (aot) {
            env.put("JVM_ARGS", "-XX:AOTCacheOutput=" + partial);
        }
        Path console = output.resolve("console.log");
        pb.redirectErrorStream(true).redirectOutput(console.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        boolean ended;
        try {
            ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // the launcher closed: no training left behind
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            FileTrees.deleteQuietly(output);
            throw e;
        }
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            // its log stays for the message; the rest of the run goes
            FileTrees.deleteQuietly(output.resolve(server.name()));
            throw new IOException("the training run of runner server " + server.name() + " did not end within "
                    + timeout.toMillis() + " ms; see " + console);
        }
        Path workarea = output.resolve(server.name()).resolve("workarea");
        if (!Files.isDirectory(workarea)) {
            throw new IOException("the training run of runner server " + server.name() + " (exit " + p.exitValue()
                    + ") left no workarea; see " + console);
        }
        String made = "a warm workarea";
        if (aot) {
            if (Files.isRegularFile(partial) && Files.size(partial) > 0) {
                Files.move(partial, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                made += " and the AOT cache " + cache.getFileName() + " (" + sizeMiB(cache) + ")";
            } else {
                made += " but no AOT cache (see " + console + ")";
            }
        } else {
            made += "; no AOT cache: Java " + javaVersion(javaHome).orElse("?") + " is older than " + MIN_FEATURE;
        }
        // which Liberty trained it: only runners of that installation may inherit its workarea (WarmStart)
        Files.writeString(installationRecord(dir, javaHome), server.wlp().toRealPath().toString(),
                StandardCharsets.UTF_8);
        // last: the workarea's presence means "trained"
        try {
            Files.move(workarea, workarea(dir, javaHome), StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            // trained by another parent meanwhile: theirs is as good
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String what = made;
        LOG.info(() -> "flame runner server " + dir.getFileName() + " trained in " + ms + " ms: " + what);
        FileTrees.deleteQuietly(output);
        return true;
    }

    /**
     * The Liberty installation that trained a runner server for a Java, as recorded by its training.
     *
     * @param dir the runner server's directory
     * @param javaHome the runners' Java
     * @return the installation's real path, empty when untrained or trained before it was recorded
     */
    public static Optional<String> trainedBy(Path dir, Path javaHome) {
        try {
            return Optional.of(Files.readString(installationRecord(dir, javaHome), StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Where the training of a runner server for a Java records the Liberty installation that ran it. */
    private static Path installationRecord(Path dir, Path javaHome) {
        return dir.resolve("warm").resolve(INSTALLATION + "-" + versionName(javaHome));
    }

    private static String versionName(Path javaHome) {
        return javaVersion(javaHome).orElse("unknown").replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * The environment of the training runner: a runner whose parent is a closed loopback port, so it boots
     * all the way to its join attempts and exits at its boot timeout.
     *
     * @param httpPort the runner's HTTP port ({@link RunnerEnv#HTTP_PORT})
     * @return the {@link RunnerEnv} variables
     */
    static Map<String, String> trainingEnv(String httpPort) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(RunnerEnv.RUNNER, "true");
        env.put(RunnerEnv.RUNNER_ID, "aot-training");
        env.put(RunnerEnv.POOL, "aot-training");
        env.put(RunnerEnv.PARENT_ID, "aot-training");
        env.put(RunnerEnv.PARENT_ADDRESS, "127.0.0.1:1"); // tcpmux: nothing listens there
        env.put(RunnerEnv.PARENT_FINGERPRINT, "0".repeat(64));
        env.put(RunnerEnv.JOIN_TOKEN, "aot-training");
        env.put(RunnerEnv.BOOT_TIMEOUT_MS, Long.toString(TRAINING_JOIN.toMillis()));
        env.put(RunnerEnv.SHUTDOWN_TIMEOUT_MS, "30000");
        env.put(RunnerEnv.HTTP_PORT, httpPort);
        return env;
    }

    /**
     * The script that trains a runner server where its runners will run, shipped in the runner server's directory
     * as {@value #IMAGE_SCRIPT}: the same training run, for a pre-baked EC2 image (README "EC2 backend"), whose
     * paths must be the instances' own (a Liberty workarea holds its installation's paths; Liberty starts clean
     * from one made elsewhere). It leaves the warm workarea in {@code WLP_OUTPUT_DIR} (default
     * {@code /opt/flame/output}, the user-data's) with a {@value #IMAGE_MARK} file saying what trained it, and on
     * Java {@value #MIN_FEATURE}+ the AOT cache (its argument, default {@code /opt/flame/runner.aot}); the
     * user-data uses both when the image's bundle is the one a runner is asked to run.
     *
     * @param server the server's name
     * @return the bash script
     */
    public static String imageScript(String server) {
        StringBuilder exports = new StringBuilder();
        trainingEnv("${FLAME_HTTP_PORT:-9080}").forEach((k, v) -> exports.append("export ").append(k).append("=\"")
                .append(v).append("\"\n"));
        return """
                #!/bin/bash
                # FlameEC2: trains this runner server where its runners will run, such as a pre-baked EC2 image (README
                # "EC2 backend"): one boot in runner mode whose parent cannot be reached; it stops by itself. Leaves
                # Liberty's warm workarea in WLP_OUTPUT_DIR (default /opt/flame/output) and, on Java %3$d and later, the
                # JDK AOT cache at $1 (default /opt/flame/runner.aot). Run it as root once the bundle is unpacked.
                set -euo pipefail
                server_dir=$(cd "$(dirname "$0")" && pwd)
                wlp=$(cd "${server_dir}/../../.." && pwd)
                if [ ! -f "${wlp}/bin/server" ]; then
                  echo "no Liberty installation at ${wlp}: run this script from an unpacked runner bundle" >&2
                  exit 2
                fi
                export WLP_OUTPUT_DIR=${WLP_OUTPUT_DIR:-/opt/flame/output}
                aot=${1:-/opt/flame/runner.aot}
                java=${JAVA_HOME:+${JAVA_HOME}/bin/}java
                version=$("${java}" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')
                unset JVM_ARGS
                if [ "${version%%%%.*}" -ge %3$d ] 2>/dev/null; then
                  export JVM_ARGS="-XX:AOTCacheOutput=${aot}"
                fi
                %2$s
                rm -rf "${WLP_OUTPUT_DIR:?}/%1$s/workarea"
                # the runner exits with an error status (it never joined): what counts is the workarea it leaves
                bash "${wlp}/bin/server" run %1$s || true
                if [ ! -d "${WLP_OUTPUT_DIR}/%1$s/workarea" ]; then
                  echo "the training run left no workarea in ${WLP_OUTPUT_DIR}/%1$s: see its logs there" >&2
                  exit 1
                fi
                echo "trained in this image on $(date -u +%%FT%%TZ) by Java ${version}" > "${WLP_OUTPUT_DIR}/%1$s/workarea/%4$s"
                echo "runner server %1$s trained: workarea in ${WLP_OUTPUT_DIR}/%1$s/workarea${JVM_ARGS:+, AOT cache ${aot}}"
                """.formatted(server, exports.toString().strip(), MIN_FEATURE, IMAGE_MARK);
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sizeMiB(Path file) {
        try {
            return Files.size(file) / (1024 * 1024) + " MiB";
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * A runner server to train.
     *
     * @param wlp the Liberty installation
     * @param userDir the user directory holding {@code servers/<name>}, empty for the installation's own
     * @param name the server's name
     */
    public record Server(Path wlp, Optional<Path> userDir, String name) {
    }
}
