package io.flameec2.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * What the Arquillian tests share: their applications (the runner WAR overlaid with test classes, as
 * ShrinkWrap archives), the managed Open Liberty server's messages.log (where a failed deployment's reason
 * is), and plain GETs on a deployment's URL.
 */
public final class ArquillianServer {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ArquillianServer() {
    }

    /**
     * The server's {@code logs/messages.log} (it/pom.xml prepares the server, arquillian.xml names it).
     *
     * @return its path
     */
    public static Path messagesLog() {
        return Path.of(System.getProperty("flame.it.arquillian.wlp", "target/arquillian/wlp"), "usr/servers",
                System.getProperty("flame.it.arquillian.server", "arquillian"), "logs/messages.log");
    }

    /**
     * Liberty's start failure of an application: its CWWKZ0002E entry in messages.log, with the lines of the
     * exception message that follow it (up to the next timestamped entry). This is where a test reads why a
     * deployment failed: the Liberty adapter rebuilds the server's exception chain from its FFDC files as
     * wrappers of its own (the server's classes are not on the client's class path), so
     * {@code @ShouldThrowException} can only expect that deployment failed at all.
     *
     * @param app the application (the deployment's archive name without {@code .war})
     * @return the entry
     * @throws Exception when it does not appear within 2 minutes
     */
    public static String startFailure(String app) throws Exception {
        String marker = "CWWKZ0002E: An exception occurred while starting the application " + app + ".";
        Path messages = messagesLog();
        await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(messages)
                && Files.readString(messages).contains(marker));
        String log = Files.readString(messages);
        int start = log.indexOf(marker);
        int end = log.indexOf("\n[", start);
        return log.substring(start, end < 0 ? log.length() : end);
    }

    /**
     * The runner WAR with the given classes and configuration, as an application overlays it.
     *
     * @param name the archive name, which is also the context root
     * @param config the microprofile-config.properties
     * @param classes the application classes
     * @return the archive
     */
    public static WebArchive application(String name, String config, Class<?>... classes) {
        Path runnerWar = Path.of(System.getProperty("flame.it.runner.war", "../runner-war/target/runner.war"));
        return ShrinkWrap.create(ZipImporter.class, name).importFrom(runnerWar.toFile()).as(WebArchive.class)
                .addClasses(classes).addAsResource(new StringAsset(config), "META-INF/microprofile-config.properties");
    }

    /**
     * A GET relative to a deployment's URL.
     *
     * @param base the deployment's URL, as Arquillian injects it ({@code http://localhost:port/app/})
     * @param path the path below it, without a leading slash
     * @return the answer
     * @throws IOException when the server does not answer
     * @throws InterruptedException when interrupted
     */
    public static HttpResponse<String> get(URL base, String path) throws IOException, InterruptedException {
        URI uri = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/").resolve(path);
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(4)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
