package io.flameec2.impl.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Makes the runner bundle an instance downloads (a Liberty server package: {@code server package
 * --include=minify}, a {@code wlp} with exactly the features of the runner server and the application) of a
 * {@link RunnerRecipe} and the parent's own Liberty installation, with the runner server in a user directory
 * of its own ({@code WLP_USER_DIR}), so nothing of the parent's installation changes. Cached in the work
 * directory by recipe hash and Liberty version, built once ({@link ContentCache}).
 */
public final class RunnerPackager {

    private static final Logger LOG = Logger.getLogger(RunnerPackager.class.getName());
    private static final long PACKAGE_TIMEOUT_MINUTES = 10;

    private RunnerPackager() {
    }

    /**
     * The runner bundle zip of this recipe, built unless the work directory has it.
     *
     * @param workDir a private directory of this user
     * @param recipe the application and runner configuration
     * @param wlp the Liberty installation to package the runtime from
     * @param appVersion the application's version, for the file name
     * @return the zip, and whether this call built it
     * @throws IOException when packaging fails (the message quotes Liberty's output)
     */
    public static ContentCache.Entry packageZip(Path workDir, RunnerRecipe recipe, Path wlp, String appVersion)
            throws IOException {
        String name = recipe.name(appVersion) + "-ol" + libertyVersion(wlp) + ".zip";
        return ContentCache.getOrBuild(workDir.resolve(name), staging -> build(recipe, wlp, staging));
    }

    /**
     * The Open Liberty version of an installation ({@code lib/versions/openliberty.properties}), part of the
     * bundle's name: another runtime makes another bundle.
     *
     * @param wlp the installation
     * @return such as {@code 26.0.0.3}, or {@code unknown}
     */
    public static String libertyVersion(Path wlp) {
        Path props = wlp.resolve("lib/versions/openliberty.properties");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(props)) {
            p.load(in);
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("com.ibm.websphere.productVersion", "unknown").replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * Packages the runner bundle of this recipe into a file (a build's output), whatever is there.
     *
     * @param recipe the application and runner configuration
     * @param wlp the Liberty installation to package the runtime from
     * @param zip the bundle to write; its directory must exist
     * @throws IOException when packaging fails (the message quotes Liberty's output)
     */
    public static void packageTo(RunnerRecipe recipe, Path wlp, Path zip) throws IOException {
        Path target = zip.toAbsolutePath();
        Path staging = target.resolveSibling("." + target.getFileName() + ".building");
        FileTrees.delete(staging);
        build(recipe, wlp, staging);
        Files.move(staging, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void build(RunnerRecipe recipe, Path wlp, Path staging) throws IOException {
        Path work = Files.createTempDirectory(staging.getParent(), ".package-");
        try {
            Path usr = work.resolve("usr");
            recipe.writeUserDir(usr);
            Path zip = work.resolve(RunnerRecipe.SERVER + ".zip");
            Path log = work.resolve("package.log");
            ProcessBuilder pb = new ProcessBuilder(wlp.resolve("bin/server").toString(), "package", RunnerRecipe.SERVER,
                    "--archive=" + zip, "--include=minify");
            // only what the packaging needs: not the parent server's own variables (WLP_USER_DIR, JVM_ARGS...)
            Map<String, String> env = pb.environment();
            String path = env.get("PATH");
            env.clear();
            env.put("PATH", path == null ? "/usr/bin:/bin" : path);
            env.put("JAVA_HOME", System.getProperty("java.home"));
            env.put("WLP_USER_DIR", usr.toString());
            env.put("WLP_OUTPUT_DIR", work.resolve("output").toString());
            // minify keeps the features of the configuration it sees: with this, the telemetry include's too, which
            // the bundle's runners load when their pool's env turns telemetry on
            env.put("OTEL_SDK_DISABLED", "false");
            pb.directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            long start = System.nanoTime();
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(PACKAGE_TIMEOUT_MINUTES, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted packaging the runner bundle", e);
            }
            if (!done || p.exitValue() != 0 || !Files.isRegularFile(zip)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("'server package " + RunnerRecipe.SERVER + " --include=minify' with Liberty " + wlp
                        + (done ? " exited " + p.exitValue() : " took over " + PACKAGE_TIMEOUT_MINUTES + " minutes")
                        + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            Files.move(zip, staging);
            long ms = (System.nanoTime() - start) / 1_000_000;
            LOG.info(() -> "flame: packaged the runner bundle of " + recipe.war() + " (" + size(staging) + ") in " + ms
                    + " ms");
        } finally {
            FileTrees.delete(work);
        }
    }

    private static String size(Path file) {
        try {
            return Files.size(file) / (1024 * 1024) + " MiB";
        } catch (IOException e) {
            return "? MiB";
        }
    }
}
