package io.flameec2.it.ec2;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The box's S3: s3proxy (its fat jar, as a separate java process) with SigV4 authentication on and a
 * filesystem backend in a temporary directory, listening on the box's gateway address so instances can
 * download presigned bundle URLs.
 */
public final class S3ProxyProcess implements AutoCloseable {

    /** The access key the proxy accepts. */
    public static final String ACCESS_KEY = "fec2-box-access";
    /** The secret key the proxy accepts. */
    public static final String SECRET_KEY = "fec2-box-secret-0123456789";
    private static final Logger LOG = Logger.getLogger(S3ProxyProcess.class.getName());

    private final Process process;
    private final URI endpoint;
    private final Path dir;

    private S3ProxyProcess(String host) throws IOException, InterruptedException {
        String jar = System.getProperty("flame.it.s3proxy.jar", "target/box/s3proxy.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("s3proxy jar not found at " + jar + " (the it module copies it in "
                    + "pre-integration-test; run through mvn verify)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            port = s.getLocalPort();
        }
        endpoint = URI.create("http://" + host + ":" + port);
        dir = Files.createTempDirectory("fec2-s3");
        Files.createDirectories(dir.resolve("data"));
        Path props = Files.writeString(dir.resolve("s3proxy.properties"), String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("data"), ""));
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar, "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!accepting(host, port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(dir.resolve("s3proxy.log"));
                close();
                throw new IllegalStateException("s3proxy did not start: " + log);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        LOG.info(() -> "s3proxy up at " + endpoint + " (pid " + process.pid() + ")");
    }

    /**
     * Starts s3proxy on the given address.
     *
     * @param host the address to listen on
     * @return the running proxy
     * @throws IOException when it cannot be started
     * @throws InterruptedException when interrupted while waiting for it
     */
    public static S3ProxyProcess start(String host) throws IOException, InterruptedException {
        return new S3ProxyProcess(host);
    }

    /** @return the S3 endpoint */
    public URI endpoint() {
        return endpoint;
    }

    private static boolean accepting(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        Ec2Box.deleteTree(dir);
    }
}
