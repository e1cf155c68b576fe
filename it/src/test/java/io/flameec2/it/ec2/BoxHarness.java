package io.flameec2.it.ec2;

import io.flameec2.it.process.RunnerBundle;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * EC2-in-a-box for tests outside this package (the reliability suite, whose parent runs in a JVM of its own):
 * a {@link BoxFixture}, a way to put a Liberty runner bundle with application classes into its S3, the settings
 * a parent needs to launch runners into the box, and read-only views of the instances. The box's own types stay
 * package-private, so this is the only surface other packages depend on.
 */
public final class BoxHarness implements AutoCloseable {

    private static final String SERVER_XML = """
            <server>
              <featureManager><feature>servlet-6.0</feature></featureManager>
              <httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="${env.FLAME_HTTP_PORT}" httpsPort="-1"/>
              <webApplication location="app.war" contextRoot="/app"/>
            </server>
            """;

    private final BoxFixture fx;
    private final Path work;

    /** What a test may see of an instance (a snapshot that never waits for the instance's boot or teardown). */
    public record InstanceView(String id, String state, String stateReason) {

        /** @return whether EC2 reports it terminated */
        public boolean terminated() {
            return BoxInstance.State.TERMINATED.label.equals(state);
        }
    }

    private BoxHarness(BoxFixture fx, Path work) {
        this.fx = fx;
        this.work = work;
    }

    /** @return why a box cannot run here (not root, no iproute2), or empty */
    public static Optional<String> unsupportedReason() {
        return Ec2Box.unsupportedReason();
    }

    /**
     * Starts the box and s3proxy (this JVM's {@code aws.*} system properties get the box's credentials).
     *
     * @return the harness
     * @throws Exception when the box cannot start
     */
    public static BoxHarness start() throws Exception {
        Path work = Files.createTempDirectory("fec2-harness");
        try {
            return new BoxHarness(new BoxFixture(), work);
        } catch (Exception | Error e) {
            Ec2Box.deleteTree(work);
            throw e;
        }
    }

    /**
     * Packages a minified Open Liberty server running the runner WAR plus application classes (the closures a
     * parent sends must be the application's own classes on the runner), as Ec2EndToEndIT does, and uploads it.
     *
     * @param key the S3 key
     * @param appVersion the runner's {@code flame.app-version} (the parent must use the same)
     * @param applicationClasses classes added to the WAR's WEB-INF/classes and to the serialization allow-list
     * @return the bundle's s3:// URL
     * @throws Exception when the runtime or WAR is missing or packaging fails
     */
    public URI uploadLibertyRunner(String key, String appVersion, Class<?>... applicationClasses) throws Exception {
        Path dir = Files.createDirectories(work.resolve(key.replace('/', '_')));
        URI url = fx.upload(key, packageLibertyRunner(dir, appVersion, applicationClasses));
        Ec2Box.deleteTree(dir); // it is in S3 now; Liberty's unpacked runtime is large
        return url;
    }

    /**
     * Packages, in {@code dir}, a minified Open Liberty server running the runner WAR plus application classes
     * (also put on the serialization allow-list), with servlet-6.0 only and the port from the environment.
     *
     * @param dir an empty work directory
     * @param appVersion the runner's {@code flame.app-version} (the parent must use the same)
     * @param applicationClasses classes added to the WAR's WEB-INF/classes
     * @return the bundle zip
     * @throws Exception when the runtime or WAR is missing or packaging fails
     */
    static Path packageLibertyRunner(Path dir, String appVersion, Class<?>... applicationClasses) throws Exception {
        Path runtime = Path.of(System.getProperty("flame.it.liberty.zip", "target/box/openliberty-runtime.zip"));
        if (!Files.isRegularFile(runtime)) {
            throw new IllegalStateException("Open Liberty runtime zip missing at " + runtime);
        }
        Sh.run("unzip", "-q", runtime.toString(), "-d", dir.toString());
        Path server = dir.resolve("wlp/bin/server");
        Sh.run(server.toString(), "create", "flamerunner");
        Path config = dir.resolve("wlp/usr/servers/flamerunner");
        Files.writeString(config.resolve("server.xml"), SERVER_XML);
        Files.writeString(config.resolve("jvm.options"), "-Dflame.app-version=" + appVersion + "\n"
                + "-Dflame.serialization.allow=" + allowList(applicationClasses) + "\n-Xmx256m\n");
        Files.createDirectories(config.resolve("apps"));
        RunnerBundle.war(config.resolve("apps/app.war"), Map.of(), applicationClasses);
        Path zip = dir.resolve("flamerunner.zip");
        Sh.run(server.toString(), "package", "flamerunner", "--archive=" + zip, "--include=minify");
        return zip;
    }

    /**
     * The {@code flame.ec2.*} settings that launch runners into this box.
     *
     * @param app the {@code flame.ec2.app} tag value
     * @param bundle the bundle URL from {@link #uploadLibertyRunner}
     * @return key to value
     */
    public Map<String, String> ec2Settings(String app, URI bundle) {
        return ec2Settings(fx, app, bundle);
    }

    /** The {@code flame.ec2.*} settings that launch runners into a box; a mutable map. */
    static Map<String, String> ec2Settings(BoxFixture fx, String app, URI bundle) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("flame.ec2.image-id", "ami-0box");
        settings.put("flame.ec2.region", BoxFixture.REGION);
        settings.put("flame.ec2.endpoint", fx.box.endpoint().toString());
        settings.put("flame.ec2.s3-endpoint", fx.s3.endpoint().toString());
        settings.put("flame.ec2.bundle-url", bundle.toString());
        settings.put("flame.ec2.app", app);
        return settings;
    }

    /**
     * The system properties a parent JVM needs besides the pool's settings: where its endpoint binds (the box's
     * gateway, which instances route to) and the box's AWS credentials.
     *
     * @return key to value
     */
    public Map<String, String> parentSystemProperties() {
        return Map.of("flame.parent.host", BoxNetwork.GATEWAY,
                "aws.accessKeyId", S3ProxyProcess.ACCESS_KEY,
                "aws.secretAccessKey", S3ProxyProcess.SECRET_KEY);
    }

    /** @return every instance launched, terminated ones included, in launch order */
    public List<InstanceView> instances() {
        return fx.box.instances().stream().map(i -> new InstanceView(i.id, i.state.label, i.stateReason)).toList();
    }

    /**
     * The runner an instance was launched for. Separate from {@link #instances()}: the tags are read under the
     * instance's lock, which the box holds for a whole boot or teardown.
     *
     * @param instanceId the instance
     * @return its {@code flame:runner-id} tag, or empty
     */
    public String runnerId(String instanceId) {
        return fx.box.instance(instanceId).tagsCopy().getOrDefault("flame:runner-id", "");
    }

    /**
     * A tag of an instance, as the box holds it now (CreateTags updates it).
     *
     * @param instanceId the instance
     * @param key the tag's key, such as {@code flame:lease-until}
     * @return its value, or empty
     */
    public String tag(String instanceId, String key) {
        return fx.box.instance(instanceId).tagsCopy().getOrDefault(key, "");
    }

    /**
     * The runner's journal on an instance (the unit's output: Open Liberty's console, System.out included).
     *
     * @param instanceId the instance
     * @return the journal, or empty once the instance's files are gone
     */
    public String journal(String instanceId) {
        Path journal = fx.box.instance(instanceId).journal();
        try {
            return Files.exists(journal) ? Files.readString(journal, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return ""; // deleted while reading: the instance is being torn down
        }
    }

    /**
     * @param instanceId the instance
     * @return its console output (kept after termination)
     */
    public String console(String instanceId) {
        return fx.box.instance(instanceId).consoleOutput();
    }

    /** @return the box's network namespaces that exist now (one per instance not yet torn down) */
    public List<String> namespaces() {
        return BoxNetwork.namespaces();
    }

    /** Terminates what is left, stops s3proxy and the box, removes the network and files. */
    @Override
    public void close() {
        try {
            fx.close();
        } finally {
            Ec2Box.deleteTree(work);
        }
    }

    /** @return the classes in {@code flame.serialization.allow} syntax ({@code ;}-separated patterns) */
    public static String allowList(Class<?>... types) {
        return Stream.of(types).map(Class::getName).collect(Collectors.joining(";"));
    }
}
