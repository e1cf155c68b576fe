package io.flameec2.impl.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Builds an application's runner bundle in its build ({@code mvn package}, see README): the same bundle a
 * parent makes of itself, from the WAR just built, liberty-config's runner {@code server.xml} (in this jar) and
 * an Open Liberty installation, for those who publish bundles from CI ({@code bundle-url},
 * {@code bundle-sha256}). Writes {@code <bundle>.sha256} beside it, in {@code sha256sum} format.
 *
 * <p>Usage: {@code RunnerBundleTool <application.war> <wlp directory> <bundle.zip>}.
 */
public final class RunnerBundleTool {

    private RunnerBundleTool() {
    }

    /**
     * Builds the bundle.
     *
     * @param args the WAR, the Liberty installation ({@code wlp}) and the bundle to write
     * @throws IOException when an input is missing or packaging fails
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: RunnerBundleTool <application.war> <wlp directory> <bundle.zip>");
        }
        Path war = Path.of(args[0]);
        Path wlp = Path.of(args[1]);
        Path zip = Path.of(args[2]).toAbsolutePath();
        if (!Files.exists(war)) {
            throw new IOException("no application WAR at " + war.toAbsolutePath());
        }
        if (!Files.isRegularFile(wlp.resolve("bin/server"))) {
            throw new IOException("no Open Liberty installation at " + wlp.toAbsolutePath() + " (no bin/server)");
        }
        // maven-dependency-plugin's unpack of the runtime zip may drop the scripts' executable bits
        wlp.resolve("bin/server").toFile().setExecutable(true, false);
        Files.createDirectories(zip.getParent());
        long start = System.nanoTime();
        RunnerPackager.packageTo(RunnerRecipe.of(war), wlp, zip);
        MessageDigest d = RunnerRecipe.sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(zip), d)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        String sha = HexFormat.of().formatHex(d.digest());
        Files.writeString(zip.resolveSibling(zip.getFileName() + ".sha256"), sha + "  " + zip.getFileName() + "\n",
                StandardCharsets.UTF_8);
        System.out.println("[flame] runner bundle " + zip + " (" + Files.size(zip) / (1024 * 1024) + " MiB, SHA-256 "
                + sha + ") built in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }
}
