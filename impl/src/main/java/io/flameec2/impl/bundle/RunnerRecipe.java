package io.flameec2.impl.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What a runner server is made of: the application's WAR (the parent's own, deployed one) and the runner
 * configuration of liberty-config (shipped in this jar: {@code server.xml}, its {@code jvm.options} and the
 * telemetry include). Its content hash names every cache entry built
 * from it, so a new build of the application (a new version) gets new runners without any manual step, and
 * the same application never gets built twice.
 */
public final class RunnerRecipe {

    /** The name of the runner server, in bundles as in the process backend's runner directories. */
    public static final String SERVER = "flamerunner";
    /** liberty-config's runner configuration, copied into this jar by the build. */
    static final String CONFIG = "/io/flameec2/impl/bundle/runner/";
    /** liberty-config's runner server.xml. */
    static final String SERVER_XML = CONFIG + "server.xml";
    /** The files of the runner's server directory, besides the application. */
    public static final List<String> CONFIG_FILES = List.of("server.xml", "jvm.options", "telemetry-true.xml",
            "telemetry-false.xml", "telemetry-api-on.xml");
    /** Bumped when the layout of what is built from a recipe changes, so old cache entries are not reused. */
    private static final String FORMAT = "flame-runner-recipe-4";
    private static final Map<List<Object>, String> WAR_HASHES = new ConcurrentHashMap<>();

    private final Path war;
    private final Map<String, byte[]> config;
    private final String hash;

    private RunnerRecipe(Path war, Map<String, byte[]> config, String hash) {
        this.war = war;
        this.config = config;
        this.hash = hash;
    }

    /**
     * The recipe of the runners of this WAR.
     *
     * @param war a WAR file or an expanded WAR directory
     * @return the recipe
     * @throws IOException when the WAR cannot be read
     */
    public static RunnerRecipe of(Path war) throws IOException {
        Map<String, byte[]> config = new LinkedHashMap<>();
        MessageDigest d = sha256();
        d.update((FORMAT + "\n").getBytes(StandardCharsets.UTF_8));
        for (String name : CONFIG_FILES) {
            try (InputStream in = RunnerRecipe.class.getResourceAsStream(CONFIG + name)) {
                if (in == null) {
                    throw new IOException("the runner's " + name + " " + CONFIG + name
                            + " is missing from the flame-ec2-impl jar");
                }
                config.put(name, in.readAllBytes());
            }
            d.update(sha256().digest(config.get(name)));
        }
        d.update(HexFormat.of().parseHex(warHash(war)));
        return new RunnerRecipe(war, Map.copyOf(config), HexFormat.of().formatHex(d.digest()));
    }

    /**
     * The content hash of the WAR and the runner configuration.
     *
     * @return 64 lower-case hex digits
     */
    public String hash() {
        return hash;
    }

    /**
     * A file name for what is built from this recipe: readable, and unique per content.
     *
     * @param appVersion the application's version
     * @return such as {@code runner-1.4.2-0f3a9c...} (16 hex digits of the hash)
     */
    public String name(String appVersion) {
        String version = appVersion.replaceAll("[^A-Za-z0-9._-]", "_");
        return "runner-" + (version.length() > 40 ? version.substring(0, 40) : version) + "-" + hash.substring(0, 16);
    }

    /**
     * The WAR the recipe was made from.
     *
     * @return the WAR file or directory
     */
    public Path war() {
        return war;
    }

    /**
     * Writes a Liberty user directory holding the runner server: {@code servers/flamerunner/server.xml} (with
     * its {@code jvm.options} and telemetry include, and {@link RunnerTraining#IMAGE_SCRIPT} for images) and {@code servers/flamerunner/apps/app.war} (a copy: the
     * parent's WAR may be replaced while runners run), laid out so that Liberty does not scan its library jars
     * when that is safe ({@link ScanFreeLayout}: then with {@code lib/} and {@code scan-free.xml}).
     *
     * @param usr the user directory to create ({@code WLP_USER_DIR})
     * @throws IOException when it cannot be written
     */
    public void writeUserDir(Path usr) throws IOException {
        Path server = usr.resolve("servers").resolve(SERVER);
        Files.createDirectories(server.resolve("apps"));
        for (Map.Entry<String, byte[]> file : config.entrySet()) {
            Files.write(server.resolve(file.getKey()), file.getValue());
        }
        // for a pre-baked image: its training, run where the runners will run (README "EC2 backend")
        Files.writeString(server.resolve(RunnerTraining.IMAGE_SCRIPT), RunnerTraining.imageScript(SERVER),
                StandardCharsets.UTF_8);
        Path app = server.resolve("apps/app.war");
        Files.createDirectories(server.resolve(ScanFreeLayout.LIB)); // the runner server.xml's private library
        Optional<ScanFreeLayout> layout = ScanFreeLayout.of(war);
        if (layout.isPresent()) {
            layout.get().write(war, server);
        } else if (Files.isDirectory(war)) {
            FileTrees.copy(war, app, rel -> false);
        } else {
            Files.copy(war, app);
        }
    }

    private static String warHash(Path war) throws IOException {
        // a WAR of 40 MB takes about 0.2 s to hash: once per file version and JVM
        return Files.isRegularFile(war) ? WarFiles.perFile(WAR_HASHES, war, RunnerRecipe::hashOf) : hashOf(war);
    }

    private static String hashOf(Path war) throws IOException {
        MessageDigest d = sha256();
        if (Files.isDirectory(war)) {
            // an expanded WAR: its files' names and contents, in a fixed order
            try (Stream<Path> all = Files.walk(war)) {
                for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile).sorted()::iterator) {
                    d.update((war.relativize(p).toString().replace('\\', '/') + "\0").getBytes(StandardCharsets.UTF_8));
                    digest(p, d);
                }
            }
        } else {
            digest(war, d);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static void digest(Path file, MessageDigest d) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), d)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("no SHA-256 in this JVM", e));
        }
    }
}
