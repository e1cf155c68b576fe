package io.flameec2.it.process;

import io.flameec2.impl.bundle.RunnerRecipe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Builds a runner bundle the way an application's build does (liberty-config/README.md): the runner server
 * configuration of liberty-config, the application WAR (runner WAR plus the application's classes), packaged
 * with {@code server package --include=minify}. Built once per test JVM.
 */
public final class RunnerBundle {

    public static final String SERVER = "flamerunner";
    public static final String CONTEXT_ROOT = "/app";
    private static final java.util.Map<java.util.List<String>, Path> BUILT = new java.util.HashMap<>();

    private RunnerBundle() {
    }

    /**
     * The runner bundle of an application made of these classes, built once per test JVM and class list
     * (a build takes about 15 s; test classes that share a list share the bundle).
     */
    public static synchronized Path get(Class<?>... applicationClasses) throws Exception {
        java.util.List<String> key = java.util.Arrays.stream(applicationClasses).map(Class::getName).sorted().toList();
        Path built = BUILT.get(key);
        if (built == null) {
            Path war = Files.createTempFile("flame-app", ".war");
            war(war, java.util.Map.of(), applicationClasses);
            built = packageWar(war);
            BUILT.put(key, built);
        }
        return built;
    }

    /**
     * Writes an application WAR: the runner WAR plus the given classes and extra entries (such as
     * {@code WEB-INF/classes/META-INF/microprofile-config.properties}).
     */
    public static void war(Path target, java.util.Map<String, String> extraEntries, Class<?>... classes) throws IOException {
        Path runnerWar = Path.of(System.getProperty("flame.it.runner.war", "../runner-war/target/runner.war"));
        withClasses(runnerWar, target, extraEntries, classes);
    }

    /**
     * Packages an application WAR into a runner bundle (a minified Liberty server package): the runner server is
     * the product's ({@link RunnerRecipe#writeUserDir}: liberty-config's runner configuration and the WAR laid out
     * as runners get it), with a smaller heap.
     */
    public static Path packageWar(Path appWar) throws Exception {
        Path runtime = Path.of(System.getProperty("flame.it.liberty.zip", "target/box/openliberty-runtime.zip"));
        Path work = Files.createTempDirectory("flame-process-bundle");
        run(work, "unzip", "-q", runtime.toAbsolutePath().toString(), "-d", work.toString());
        Path server = work.resolve("wlp/bin/server");
        RunnerRecipe.of(appWar).writeUserDir(work.resolve("wlp/usr"));
        Path dir = work.resolve("wlp/usr/servers/" + SERVER);
        Files.writeString(dir.resolve("jvm.options"), "-Xmx256m\n-Xshare:auto\n");
        Path zip = work.resolve(SERVER + ".zip");
        // OTEL_SDK_DISABLED=false: minify keeps the runner's telemetry include's feature (ObservabilityIT's runners)
        run(work, Map.of("OTEL_SDK_DISABLED", "false"), server.toString(), "package", SERVER, "--archive=" + zip,
                "--include=minify");
        long size = Files.size(zip);
        // the bundle and the launcher's unpacked copy of it are per test run: remove both when the JVM ends
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (Boolean.getBoolean("flame.it.keep-runner-logs")) {
                return; // -Dflame.it.keep-runner-logs=true: the runners' logs stay in /tmp/flame-process-<user>
            }
            delete(work);
            try (java.util.stream.Stream<Path> cached = Files.list(Path.of(System.getProperty("java.io.tmpdir"),
                    "flame-process-" + System.getProperty("user.name")))) { // the process backend's work-dir
                cached.filter(p -> p.getFileName().toString().replaceFirst("^\\.", "").startsWith(SERVER + ".zip-" + size + "-"))
                        .forEach(RunnerBundle::delete);
            } catch (IOException e) {
                // nothing cached
            }
        }));
        return zip;
    }

    private static void withClasses(Path war, Path target, java.util.Map<String, String> extraEntries,
            Class<?>... classes) throws IOException {
        try (ZipFile in = new ZipFile(war.toFile()); OutputStream os = Files.newOutputStream(target);
                ZipOutputStream out = new ZipOutputStream(os)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(out);
                }
                out.closeEntry();
            }
            for (java.util.Map.Entry<String, String> extra : extraEntries.entrySet()) {
                out.putNextEntry(new ZipEntry(extra.getKey()));
                out.write(extra.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
            for (Class<?> c : classes) {
                String name = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new ZipEntry("WEB-INF/classes/" + name));
                try (InputStream is = c.getClassLoader().getResourceAsStream(name)) {
                    is.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    private static void run(Path dir, String... command) throws Exception {
        run(dir, Map.of(), command);
    }

    private static void run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("build.log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n"
                    + Files.readString(dir.resolve("build.log")));
        }
    }

    public static void delete(Path root) {
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
