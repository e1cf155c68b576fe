package io.flameec2.it;

import static org.awaitility.Awaitility.await;

import io.flameec2.it.process.RunnerBundle;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real Open Liberty parent server for integration tests: the runtime zip ({@code flame.it.liberty.zip})
 * unzipped into a temporary directory, a server created with the parent configuration of liberty-config
 * ({@code flame.it.parent.server.xml}) on a free HTTP port, the given WARs deployed each under its own
 * context root. Each test class starts one and stops it in {@code @AfterAll}: booting Liberty costs 15-20 s,
 * so the cases of a class share it.
 */
public final class LibertyServer implements AutoCloseable {

    /** The one application of the parent server.xml, replaced by the applications given here. */
    private static final String TEMPLATE_APP = "<webApplication location=\"app.war\" contextRoot=\"/app\">";
    /** The template application element with its class loader settings, which each deployed WAR gets too. */
    private static final java.util.regex.Pattern TEMPLATE_APP_ELEMENT = java.util.regex.Pattern.compile(
            "<webApplication location=\"app\\.war\" contextRoot=\"/app\">(.*?)</webApplication>",
            java.util.regex.Pattern.DOTALL);

    private final String name;
    private final Path work;
    private final Path wlp;
    private final Path dir;
    private final int port;
    private final List<String> applications = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx384m"));
    private final List<String> serverEnv = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private boolean started;

    private LibertyServer(String name, Path work) {
        this.name = name;
        this.work = work;
        this.wlp = work.resolve("wlp");
        this.dir = wlp.resolve("usr/servers/" + name);
        this.port = freePort();
    }

    /**
     * Unzips the runtime and creates a server; nothing runs until {@link #start()}.
     *
     * @param name the server name, also the prefix of its temporary directory
     * @return the created server
     * @throws Exception when the runtime cannot be unzipped or the server not created
     */
    public static LibertyServer create(String name) throws Exception {
        LibertyServer server = new LibertyServer(name, Files.createTempDirectory("flame-" + name));
        Path runtime = Path.of(System.getProperty("flame.it.liberty.zip", "target/box/openliberty-runtime.zip"));
        server.run("unzip", "-q", runtime.toAbsolutePath().toString(), "-d", server.work.toString());
        server.run(server.wlp.resolve("bin/server").toString(), "create", name);
        return server;
    }

    /**
     * Deploys a WAR (copied to {@code apps/<name>.war}) under a context root; call before {@link #start()}.
     *
     * @param appName the application name, which Liberty's messages use ({@code CWWKZ0002E ... application bad})
     * @param war the WAR
     * @param contextRoot such as {@code /bad}
     * @return this server
     * @throws IOException when the WAR cannot be copied
     */
    public LibertyServer deploy(String appName, Path war, String contextRoot) throws IOException {
        Files.createDirectories(dir.resolve("apps"));
        Files.copy(war, dir.resolve("apps/" + appName + ".war"));
        applications.add("<webApplication location=\"" + appName + ".war\" contextRoot=\"" + contextRoot + "\">%s"
                + "</webApplication>");
        return this;
    }

    /**
     * Replaces a deployed WAR by another build of it, while the server is stopped ({@link #stop()}).
     *
     * @param appName the name given to {@link #deploy}
     * @param war the new build
     * @return this server
     * @throws IOException when the WAR cannot be copied
     */
    public LibertyServer redeploy(String appName, Path war) throws IOException {
        if (started) {
            throw new IllegalStateException("stop " + name + " before replacing " + appName);
        }
        Files.copy(war, dir.resolve("apps/" + appName + ".war"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return this;
    }

    /**
     * Stops the server and keeps it for another {@link #start}, as a user restarts a server with a new build.
     *
     * @throws Exception when {@code server stop} fails
     */
    public void stop() throws Exception {
        if (started) {
            run(wlp.resolve("bin/server").toString(), "stop", name);
            started = false;
        }
    }

    /**
     * Adds a line to the server's {@code jvm.options}; call before {@link #start()}.
     *
     * @param option such as {@code -Dflame.pools.proc.process.bundle=/tmp/b.zip}
     * @return this server
     */
    public LibertyServer jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    /**
     * Adds a line to the server's {@code server.env} (the server JVM's environment); call before {@link #start()}.
     *
     * @param variable such as {@code OTEL_SDK_DISABLED=false}
     * @return this server
     */
    public LibertyServer env(String variable) {
        serverEnv.add(variable);
        return this;
    }

    /**
     * Writes server.xml and jvm.options, starts the server and waits until {@code readyPath} answers as
     * {@code ready} wants: {@code server start} returns before the applications are deployed.
     *
     * @param readyPath a path on this server, such as {@code /app/it/inject}
     * @param ready when the server counts as up
     * @return how long the start took, from {@code server start} to the first satisfying answer
     * @throws Exception when the server does not start or {@code readyPath} is not ready within 3 minutes
     */
    public Duration start(String readyPath, Predicate<HttpResponse<String>> ready) throws Exception {
        String xml = Files.readString(Path.of(System.getProperty("flame.it.parent.server.xml",
                "../liberty-config/src/main/liberty/parent/server.xml")));
        if (!xml.contains(TEMPLATE_APP) || !xml.contains("httpPort=\"9080\"")) {
            // the substitutions below would silently deploy nothing or bind the default port
            throw new IllegalStateException("the parent server.xml no longer has " + TEMPLATE_APP + " and port 9080");
        }
        java.util.regex.Matcher app = TEMPLATE_APP_ELEMENT.matcher(xml);
        if (!app.find()) {
            throw new IllegalStateException("the parent server.xml's " + TEMPLATE_APP + " element is not closed");
        }
        String inner = app.group(1);
        String deployed = String.join("\n  ", applications.stream().map(a -> String.format(a, inner)).toList());
        xml = xml.replace("httpPort=\"9080\"", "httpPort=\"" + port + "\"")
                .replace(app.group(), deployed);
        Files.writeString(dir.resolve("server.xml"), xml);
        if (!serverEnv.isEmpty()) {
            Files.writeString(dir.resolve("server.env"), String.join("\n", serverEnv) + "\n");
        }
        Files.writeString(dir.resolve("jvm.options"), String.join("\n", jvmOptions) + "\n");
        long begin = System.nanoTime();
        run(wlp.resolve("bin/server").toString(), "start", name);
        started = true;
        await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() -> ready.test(get(readyPath)));
        return Duration.ofNanos(System.nanoTime() - begin);
    }

    /**
     * A GET on this server.
     *
     * @param path the path, including the context root
     * @return the answer
     * @throws IOException when the server does not answer
     * @throws InterruptedException when interrupted
     */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofMinutes(4)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The body of a GET on this server that must answer 200.
     *
     * @param path the path, including the context root
     * @return the body
     * @throws AssertionError naming the status and body when the answer is not 200
     * @throws IOException when the server does not answer
     * @throws InterruptedException when interrupted
     */
    public String getOk(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " on " + name + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /**
     * The server's {@code logs/messages.log}.
     *
     * @return its path (the file appears once the server has started)
     */
    public Path messagesLog() {
        return dir.resolve("logs/messages.log");
    }

    /**
     * The server's directory ({@code wlp/usr/servers/<name>}).
     *
     * @return the directory
     */
    public Path directory() {
        return dir;
    }

    /**
     * Stops the server (when started), keeps its logs in {@code target/liberty-logs/<name>} for the post-mortem
     * of a failed run, and deletes the runtime copy.
     */
    @Override
    public void close() throws Exception {
        try {
            if (started) {
                run(wlp.resolve("bin/server").toString(), "stop", name);
            }
        } finally {
            try {
                keepLogs();
            } finally {
                RunnerBundle.delete(work);
            }
        }
    }

    private void keepLogs() throws IOException {
        Path logs = dir.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return;
        }
        Path kept = Path.of("target/liberty-logs", name);
        RunnerBundle.delete(kept);
        try (Stream<Path> all = Files.walk(logs)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = kept.resolve(logs.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /**
     * A TCP port free on this host now.
     *
     * @return the port
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    private void run(String... command) throws Exception {
        Path log = work.resolve("commands.log");
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
        }
    }
}
