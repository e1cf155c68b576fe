package io.flameec2.bench;

import io.flameec2.impl.bundle.DeployedApplication;
import io.flameec2.impl.bundle.LibertyInstallation;
import io.flameec2.impl.bundle.RunnerRecipe;
import io.flameec2.impl.remote.JoinOrigin;
import io.flameec2.impl.remote.RunnerLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The benchmark's Open Liberty: the 26.0.0.3 runtime zip from the local Maven repository, unpacked once under
 * {@code bench/target/liberty}, with two servers: {@code flamerunner} (liberty-config's runner server.xml, the
 * runner WAR plus {@link BenchTasks}; its HTTP endpoint listens on loopback only and carries nothing of
 * FlameEC2: the runner connects out to the parent's channel) and {@code echo} (servlet-6.0 only, a WAR holding
 * {@code EchoServlet}: the HTTP floor). Both get the integration tests' heap ({@code -Xmx256m}); the runner also
 * liberty-config's runner {@code jvm.options}.
 */
final class Liberty {

    static final String RUNNER = "flamerunner";
    static final String ECHO = "echo";
    /** The heap of both servers, as the integration tests' runner bundle has it. */
    private static final String JVM_OPTIONS = "-Xmx256m\n-Xshare:auto\n";
    /** Runner JVM options to try beside the product's ({@code -Dbench.runner-jvm="-XX:+UseParallelGC ..."}). */
    private static final String RUNNER_EXTRA = System.getProperty("bench.runner-jvm", "").trim().replace(' ', '\n');

    final Path wlp;
    private final Path outputs;
    /** The runners' application as the parent deployed it (its runner server has a laid-out copy). */
    final Path runnerWar;

    private Liberty(Path wlp, Path outputs, Path runnerWar) {
        this.wlp = wlp;
        this.outputs = outputs;
        this.runnerWar = runnerWar;
    }

    /**
     * Unpacks the runtime if needed and (re)writes both servers.
     *
     * @param dir the benchmark's directory for Liberty
     * @param repoRoot the repository root (for liberty-config and the built WARs)
     * @param unlimitedKeepAlive override maxKeepAliveRequests (100) with unlimited, on both servers (only the
     *        floor's calls use HTTP)
     * @param coreThreads override the executor's coreThreads on both servers, 0 for Liberty's default (the
     *        runner's calls run on its managed thread factory's threads, not on the executor)
     * @return the installation
     * @throws Exception when the runtime or a WAR is missing
     */
    static Liberty prepare(Path dir, Path repoRoot, boolean unlimitedKeepAlive, int coreThreads) throws Exception {
        Path wlp = dir.resolve("wlp");
        if (!Files.isExecutable(wlp.resolve("bin/server"))) {
            Path zip = Path.of(System.getProperty("user.home"),
                    ".m2/repository/io/openliberty/openliberty-runtime/26.0.0.3/openliberty-runtime-26.0.0.3.zip");
            if (!Files.isRegularFile(zip)) {
                throw new IllegalStateException("no Open Liberty runtime at " + zip + " (mvn dependency:get "
                        + "-Dartifact=io.openliberty:openliberty-runtime:26.0.0.3:zip)");
            }
            Files.createDirectories(dir);
            run(dir, "unzip", "-q", "-o", zip.toString(), "-d", dir.toString());
        }
        Path servers = wlp.resolve("usr/servers");
        // runner: the product's runner server, made of the bench's application as a parent makes it of its own
        // (RunnerRecipe.writeUserDir: liberty-config's runner configuration, the library jars laid out)
        Path runnerWar = dir.resolve("runner-app.war");
        war(repoRoot.resolve("bench/target/runner.war"), runnerWar, "BenchTasks");
        delete(servers.resolve(RUNNER));
        RunnerRecipe.of(runnerWar).writeUserDir(wlp.resolve("usr"));
        Path runner = servers.resolve(RUNNER);
        // the product's runner JVM options, then the benchmark's heap and any experiment (later ones win)
        Files.writeString(runner.resolve("jvm.options"), Files.readString(runner.resolve("jvm.options"))
                + "\n" + JVM_OPTIONS + RUNNER_EXTRA + "\n");
        // this JVM is the runners' parent: the application it would have deployed is that WAR (a parent in Liberty
        // finds its own), which decides, for one, whether runners need the OpenTelemetry API
        DeployedApplication.record(runnerWar);
        // echo: the smallest server that runs a servlet, same HTTP endpoint settings
        Path echo = Files.createDirectories(servers.resolve(ECHO + "/apps"));
        Files.writeString(echo.getParent().resolve("server.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <server description="FlameEC2 benchmark: transport floor">
                  <featureManager>
                    <feature>servlet-6.0</feature>
                  </featureManager>
                  <httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="${env.FLAME_HTTP_PORT}" httpsPort="-1"/>
                  <applicationManager autoExpand="true" startTimeout="60s"/>
                  <config updateTrigger="disabled"/>
                  <applicationMonitor updateTrigger="disabled" dropinsEnabled="false"/>
                  <webApplication location="echo.war" contextRoot="/echo"/>
                </server>
                """);
        Files.writeString(echo.getParent().resolve("jvm.options"), JVM_OPTIONS);
        war(null, echo.resolve("echo.war"), "EchoServlet"); // by name: no servlet API here
        // experiment: Liberty closes a kept-alive connection after 100 requests by default (httpOptions
        // maxKeepAliveRequests); the same override goes to both servers so the floor stays comparable
        for (Path server : List.of(runner, echo.getParent())) {
            Path override = server.resolve("configDropins/overrides/bench-keepalive.xml");
            if (unlimitedKeepAlive) {
                Files.createDirectories(override.getParent());
                Files.writeString(override, """
                        <server>
                          <httpEndpoint id="defaultHttpEndpoint" httpOptionsRef="benchHttpOptions"/>
                          <httpOptions id="benchHttpOptions" maxKeepAliveRequests="-1"/>
                        </server>
                        """);
            } else {
                Files.deleteIfExists(override);
            }
            // experiment: Liberty's executor starts small and grows slowly, which capped the calls in flight of
            // the former HTTP runner endpoint; the floor's echo servlet still runs on it
            Path executor = server.resolve("configDropins/overrides/bench-executor.xml");
            if (coreThreads > 0) {
                Files.createDirectories(executor.getParent());
                Files.writeString(executor, "<server><executor coreThreads=\"" + coreThreads + "\"/></server>\n");
            } else {
                Files.deleteIfExists(executor);
            }
        }
        return new Liberty(wlp, dir.resolve("output"), runnerWar);
    }

    /**
     * Starts a server in the foreground ({@code server run}) with its own output directory.
     *
     * @param server the server name
     * @param instance a name for this instance's output directory
     * @param env extra environment (FLAME_HTTP_PORT at least)
     * @return the process
     * @throws IOException when it cannot start
     */
    Process start(String server, String instance, Map<String, String> env) throws IOException {
        return start(server, instance, env, true);
    }

    /**
     * The output directory of an instance, emptied and created.
     *
     * @param instance the instance's name
     * @return the directory
     * @throws IOException when it cannot be made
     */
    Path outputOf(String instance) throws IOException {
        Path output = outputs.resolve(instance);
        delete(output);
        return Files.createDirectories(output);
    }

    /**
     * Starts a server, with a fresh output directory or the one {@link #outputOf} prepared.
     *
     * @param server the server name
     * @param instance a name for this instance's output directory
     * @param env extra environment
     * @param fresh whether to empty its output directory first
     * @return the process
     * @throws IOException when it cannot start
     */
    Process start(String server, String instance, Map<String, String> env, boolean fresh) throws IOException {
        return start(server, instance, env, fresh, List.of(wlp.resolve("bin/server").toString(), "run", server));
    }

    /**
     * Starts a server as the {@code process} backend starts its runners ({@link LibertyInstallation#serverCommand}).
     *
     * @param server the server name
     * @param instance a name for this instance's output directory
     * @param env extra environment
     * @param fresh whether to empty its output directory first (else {@link #outputOf} prepared it)
     * @return the process
     * @throws IOException when it cannot start
     */
    Process startAsRunner(String server, String instance, Map<String, String> env, boolean fresh) throws IOException {
        return start(server, instance, env, fresh, LibertyInstallation.serverCommand(wlp, "run", server));
    }

    private Process start(String server, String instance, Map<String, String> env, boolean fresh,
            List<String> command) throws IOException {
        Path output = fresh ? outputOf(instance) : outputs.resolve(instance);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("WLP_") || k.startsWith("FLAME_")
                || k.equals("JVM_ARGS") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().putAll(env);
        pb.environment().put("WLP_OUTPUT_DIR", output.toString());
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        pb.redirectErrorStream(true).redirectOutput(output.resolve("console.log").toFile());
        return pb.start();
    }

    /**
     * Polls a URL until it answers 200.
     *
     * @param url the URL
     * @param process the server, which must stay alive
     * @param timeout how long to wait
     * @throws Exception when it does not answer in time
     */
    static void awaitOk(URI url, Process process, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited (" + process.exitValue() + ") before " + url
                        + " answered");
            }
            try {
                if (http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20); // polling a process we cannot be notified by
        }
        throw new IllegalStateException(url + " did not answer within " + timeout);
    }

    /**
     * Stops a server process and everything it started (the launch script's JVM).
     *
     * @param process the process, may be null
     */
    static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes a WAR: the base WAR's entries (if any) plus the named classes of this package, nested ones too. */
    static void war(Path base, Path target, String... classes) throws IOException {
        try (OutputStream os = Files.newOutputStream(target); ZipOutputStream out = new ZipOutputStream(os)) {
            if (base != null) {
                if (!Files.isRegularFile(base)) {
                    throw new IllegalStateException("no runner WAR at " + base
                            + "; build first: mvn -B -q -pl bench -am package -DskipTests");
                }
                try (ZipFile in = new ZipFile(base.toFile())) {
                    for (ZipEntry e : Collections.list(in.entries())) {
                        out.putNextEntry(new ZipEntry(e.getName()));
                        try (InputStream is = in.getInputStream(e)) {
                            is.transferTo(out);
                        }
                        out.closeEntry();
                    }
                }
            }
            String pkg = Liberty.class.getPackageName().replace('.', '/');
            Path dir = Path.of(Liberty.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve(pkg);
            for (String c : classes) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().equals(c + ".class")
                            || f.getFileName().toString().startsWith(c + "$")).toList()) {
                        out.putNextEntry(new ZipEntry("WEB-INF/classes/" + pkg + "/" + f.getFileName()));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            }
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * A runner server's process as the remote backend sees it: it joins from loopback and is stopped as
     * {@link #stop} stops it.
     *
     * @param p the process of {@code server run}
     * @param description what the backend's log calls it
     * @return the launched runner
     */
    static RunnerLauncher.LaunchedRunner launched(Process p, String description) {
        return new RunnerLauncher.LaunchedRunner() {
            @Override
            public String describe() {
                return description;
            }

            @Override
            public boolean isAlive() {
                return p.isAlive();
            }

            @Override
            public JoinOrigin joinOrigin() {
                return JoinOrigin.loopback();
            }

            @Override
            public void terminate() {
                stop(p);
            }

            @Override
            public String diagnostics() {
                return "";
            }
        };
    }
}
